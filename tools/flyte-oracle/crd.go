// The Spark, Ray, Dask and pod plugins of Flyte v1.14.0, called through the plugin registry their packages register
// with: the plugins' own GetTaskPhase, not a model of it (README.md, "The CRD plugins").
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"

	sparkOp "github.com/GoogleCloudPlatform/spark-on-k8s-operator/pkg/apis/sparkoperator.k8s.io/v1beta2"
	daskAPI "github.com/dask/dask-kubernetes/v2023/dask_kubernetes/operator/go_client/pkg/apis/kubernetes.dask.org/v1"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	rayv1 "github.com/ray-project/kuberay/ray-operator/apis/ray/v1"

	"github.com/flyteorg/flyte/flyteplugins/go/tasks/pluginmachinery"
	pluginsCore "github.com/flyteorg/flyte/flyteplugins/go/tasks/pluginmachinery/core"
	"github.com/flyteorg/flyte/flyteplugins/go/tasks/pluginmachinery/k8s"

	// Each package registers its plugin in init(); importing them is what puts Flyte's code on the call path.
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/k8s/dask"
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/k8s/kfoperators/mpi"
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/k8s/kfoperators/pytorch"
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/k8s/kfoperators/tensorflow"
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/k8s/pod"
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/k8s/ray"
	_ "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/k8s/spark"
)

// crdResources maps the oracle's plugin names to the registry IDs and a fresh object of the kind each watches.
var crdResources = map[string]func() client.Object{
	"spark": func() client.Object { return &sparkOp.SparkApplication{} },
	"ray":   func() client.Object { return &rayv1.RayJob{} },
	"dask":  func() client.Object { return &daskAPI.DaskJob{} },
}

// registered finds a plugin by its registry ID; a missing one is a build mistake, reported on every request.
func registered(id string) (k8s.Plugin, error) {
	for _, e := range pluginmachinery.PluginRegistry().GetK8sPlugins() {
		if e.ID == id {
			return e.Plugin, nil
		}
	}
	return nil, fmt.Errorf("plugin %q is not registered (is its package imported?)", id)
}

// taskExecutionID is the identity the log plugins template from; the phase never depends on it.
type taskExecutionID struct{}

func (taskExecutionID) GetGeneratedName() string { return "oracle-task" }
func (taskExecutionID) GetGeneratedNameWith(_, _ int) (string, error) {
	return "oracle-task", nil
}
func (taskExecutionID) GetID() core.TaskExecutionIdentifier { return core.TaskExecutionIdentifier{} }
func (taskExecutionID) GetUniqueNodeID() string             { return "oracle-node" }

// executionMetadata answers the one question the three plugins ask; the embedded nil interface makes any other
// question panic, which the caller reports as an error, so an unexpected read cannot pass unnoticed.
type executionMetadata struct {
	pluginsCore.TaskExecutionMetadata
}

func (executionMetadata) GetTaskExecutionID() pluginsCore.TaskExecutionID { return taskExecutionID{} }

// stateReader hands over the plugin state of the previous observation, as the plugin manager does.
type stateReader struct{ state k8s.PluginState }

func (stateReader) GetStateVersion() uint8 { return 0 }
func (r stateReader) Get(t interface{}) (uint8, error) {
	s, ok := t.(*k8s.PluginState)
	if !ok {
		return 0, errors.New("the oracle keeps only k8s.PluginState")
	}
	*s = r.state
	return 0, nil
}

// taskReader hands over an empty task template: the pod plugin reads it only to render log links, and the default
// log config enables none.
type taskReader struct{ pluginsCore.TaskReader }

func (taskReader) Read(context.Context) (*core.TaskTemplate, error) { return &core.TaskTemplate{}, nil }

// pluginContext is the k8s.PluginContext of one call: metadata and the stored state, nothing else.
type pluginContext struct {
	k8s.PluginContext
	state k8s.PluginState
}

func (c pluginContext) TaskExecutionMetadata() pluginsCore.TaskExecutionMetadata {
	return executionMetadata{}
}
func (c pluginContext) TaskReader() pluginsCore.TaskReader { return taskReader{} }
func (c pluginContext) PluginStateReader() pluginsCore.PluginStateReader {
	return stateReader{c.state}
}

// decodeCRD decodes a resource of a CRD plugin into the type the plugin asserts; nil when the plugin is not one.
func decodeCRD(plugin string, raw json.RawMessage) (client.Object, bool, error) {
	fresh, ok := crdResources[plugin]
	if !ok {
		return nil, false, nil
	}
	obj := fresh()
	if err := json.Unmarshal(raw, obj); err != nil {
		return nil, true, fmt.Errorf("bad resource: %w", err)
	}
	return obj, true, nil
}

// getCRDTaskPhase calls the registered plugin's GetTaskPhase; a panic inside Flyte's code is an error answer.
func getCRDTaskPhase(plugin string, obj client.Object, state k8s.PluginState) (pi pluginsCore.PhaseInfo, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in Flyte's %s plugin: %v", plugin, r)
		}
	}()
	p, err := registered(plugin)
	if err != nil {
		return pluginsCore.PhaseInfoUndefined, err
	}
	return p.GetTaskPhase(context.Background(), pluginContext{state: state}, obj.DeepCopyObject().(client.Object))
}
