//go:build tools

// Keeps the test control plane's main packages in the module graph so `go mod tidy` retains them:
// kube-apiserver, kube-controller-manager and kube-scheduler from one k8s.io/kubernetes release, and the etcd
// server at the version k8s.io/kubernetes itself pins.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
