# The kubetasks controller image (deploy/deployment.yaml runs it). Not built in CI: no image can be built on the
# project's CI machines. Build it with `docker build -t ghcr.io/kubetasks/kubetasks:0.1.0 .` (see docs/deploying.md).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM gcr.io/distroless/nodejs20-debian12:nonroot
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# 65532 is distroless' nonroot user, the one deploy/deployment.yaml runs as (runAsNonRoot).
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["/nodejs/bin/node", "dist/cli/main.js"]
CMD ["controller"]
