// A stand-in for FlytePropeller's module, which the Go module proxy does not serve (see ../../README.md).
// It holds only the one package flyteplugins' flytek8s imports, and only what that import reads.
module github.com/flyteorg/flyte/flytepropeller

go 1.22
