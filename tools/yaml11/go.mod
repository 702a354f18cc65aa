// A YAML 1.1 reader as kubectl has one: sigs.k8s.io/yaml over go-yaml v2. Tests pipe the CLI's YAML through it
// to prove that kubectl reads what `-o json` shows. Built by scripts/yaml11.sh; never part of the TypeScript build.
module kubetasks.dev/tools/yaml11

go 1.22

require sigs.k8s.io/yaml v1.6.0

require go.yaml.in/yaml/v2 v2.4.2 // indirect
