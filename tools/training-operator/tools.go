//go:build tools

// Keeps the training operator's main package in the module graph so `go mod tidy` retains it.
package tools

import _ "github.com/kubeflow/training-operator/cmd/training-operator.v1"
