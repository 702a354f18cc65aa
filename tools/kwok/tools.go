//go:build tools

// Keeps KWOK's controller main package in the module graph so `go mod tidy` retains it.
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
