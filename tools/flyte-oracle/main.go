// Command flyte-oracle answers "what phase would Flyte's plugin report for this pod (or custom resource)?" by calling
// the GetTaskPhase of Flyte's own plugins from the flyteplugins Go module, through its plugin registry (crd.go), and
// for the Kubeflow kinds the kfoperators common functions their GetTaskPhase is made of.
// kubetasks' differential test (npm run test:oracle) streams pods through it and compares the answers with its own.
//
// Protocol: one JSON request per stdin line, one JSON response per stdout line, in order.
//
//	request:  {"id": any, "pod": {...v1.Pod...}, "now": <epoch ms>, "primaryContainerName": "..." (ignored: Flyte
//	           reads the pod's primary_container_name annotation),
//	           "previous": {"phase": "Running", "version": 1, "reason": "..."} (the plugin state; absent: empty),
//	           "config": {"create-container-error-grace-period": <ms>, "create-container-config-error-grace-period": <ms>,
//	                      "image-pull-backoff-grace-period": <ms>, "pod-pending-timeout": <ms>,
//	                      "kf-operator-timeout": <ms>}}
//	          or, for a custom resource: {"id": any, "plugin": "pytorch"|"tensorflow"|"mpi"|"spark"|"ray"|"dask",
//	           "resource": {...job...},
//	           "now", "previous", "config" as above}
//	response: {"id": any, "phase": "Running", "version": 0, "reason": "...", "code": "...", "kind": "USER",
//	           "message": "...", "cleanup": false, "occurredAt": <epoch ms>}  or  {"id": any, "error": "..."}
//
// With --bench N [--decode] it reads every request first, then times N calls cycling over them and prints one JSON
// line with the figures.
//
// Flyte reads the wall clock (time.Now / time.Since) in the pending grace checks, the pending timeout and
// GetLastTransitionOccurredAt. To make it answer as of `now`, every non-zero timestamp of the pod is shifted by
// (wall clock - now) just before the call: time.Since(shifted) then equals now - original plus the microseconds the
// call itself takes. Zero timestamps stay zero, which Flyte treats as infinitely old. See README.md.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kubeflowv1 "github.com/kubeflow/training-operator/pkg/apis/kubeflow.org/v1"

	commonOp "github.com/kubeflow/common/pkg/apis/common/v1"

	pluginsCore "github.com/flyteorg/flyte/flyteplugins/go/tasks/pluginmachinery/core"
	k8sconfig "github.com/flyteorg/flyte/flyteplugins/go/tasks/pluginmachinery/flytek8s/config"
	"github.com/flyteorg/flyte/flyteplugins/go/tasks/pluginmachinery/k8s"
	kfcommon "github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/k8s/kfoperators/common"
	"github.com/flyteorg/flyte/flytestdlib/logger"
)

// ---------------------------------------------------------------------------------------------------------------
// protocol
// ---------------------------------------------------------------------------------------------------------------

type configRequest struct {
	CreateContainerErrorGracePeriod       *int64 `json:"create-container-error-grace-period"`
	CreateContainerConfigErrorGracePeriod *int64 `json:"create-container-config-error-grace-period"`
	ImagePullBackoffGracePeriod           *int64 `json:"image-pull-backoff-grace-period"`
	PodPendingTimeout                     *int64 `json:"pod-pending-timeout"`
	KfOperatorTimeout                     *int64 `json:"kf-operator-timeout"`
}

// stateRequest is the plugin state Flyte's plugin manager keeps between two observations (k8s.PluginState): the
// phase, version and reason last reported. Absent: a first observation (the empty state).
type stateRequest struct {
	Phase   string `json:"phase"`
	Version uint32 `json:"version"`
	Reason  string `json:"reason"`
}

type request struct {
	ID                   json.RawMessage `json:"id,omitempty"`
	Pod                  json.RawMessage `json:"pod"`
	Now                  *int64          `json:"now"`
	PrimaryContainerName string          `json:"primaryContainerName,omitempty"`
	Config               *configRequest  `json:"config,omitempty"`
	Previous             *stateRequest   `json:"previous,omitempty"`
	// Plugin is "pod" (the default) or a Kubeflow kind: "pytorch", "tensorflow", "mpi".
	Plugin string `json:"plugin,omitempty"`
	// Resource is the custom resource for a CRD plugin (Pod stays the field of the pod plugin).
	Resource json.RawMessage `json:"resource,omitempty"`
}

type response struct {
	ID         json.RawMessage `json:"id,omitempty"`
	Phase      string          `json:"phase,omitempty"`
	Version    uint32          `json:"version"`
	Reason     string          `json:"reason"`
	Code       string          `json:"code,omitempty"`
	Kind       string          `json:"kind,omitempty"`
	Message    string          `json:"message,omitempty"`
	Cleanup    bool            `json:"cleanup"`
	OccurredAt *int64          `json:"occurredAt,omitempty"`
	Error      string          `json:"error,omitempty"`
}

// ---------------------------------------------------------------------------------------------------------------
// time: make Flyte's wall clock read `now`
// ---------------------------------------------------------------------------------------------------------------

func shift(t *metav1.Time, d time.Duration) {
	if t != nil && !t.IsZero() {
		t.Time = t.Time.Add(d)
	}
}

func shiftState(s *v1.ContainerState, d time.Duration) {
	if s.Running != nil {
		shift(&s.Running.StartedAt, d)
	}
	if s.Terminated != nil {
		shift(&s.Terminated.StartedAt, d)
		shift(&s.Terminated.FinishedAt, d)
	}
}

func shiftStatuses(ss []v1.ContainerStatus, d time.Duration) {
	for i := range ss {
		shiftState(&ss[i].State, d)
		shiftState(&ss[i].LastTerminationState, d)
	}
}

// shiftPod moves every timestamp of the pod by d (zero timestamps stay zero).
func shiftPod(p *v1.Pod, d time.Duration) {
	shift(&p.CreationTimestamp, d)
	shift(p.DeletionTimestamp, d)
	shift(p.Status.StartTime, d)
	for i := range p.Status.Conditions {
		shift(&p.Status.Conditions[i].LastProbeTime, d)
		shift(&p.Status.Conditions[i].LastTransitionTime, d)
	}
	shiftStatuses(p.Status.InitContainerStatuses, d)
	shiftStatuses(p.Status.ContainerStatuses, d)
	shiftStatuses(p.Status.EphemeralContainerStatuses, d)
}

// ---------------------------------------------------------------------------------------------------------------
// config
// ---------------------------------------------------------------------------------------------------------------

var defaults = *k8sconfig.GetK8sPluginConfig()

func applyConfig(c *configRequest) error {
	cfg := defaults
	ms := func(v *int64, into *time.Duration) {
		if v != nil {
			*into = time.Duration(*v) * time.Millisecond
		}
	}
	if c != nil {
		ms(c.CreateContainerErrorGracePeriod, &cfg.CreateContainerErrorGracePeriod.Duration)
		ms(c.CreateContainerConfigErrorGracePeriod, &cfg.CreateContainerConfigErrorGracePeriod.Duration)
		ms(c.ImagePullBackoffGracePeriod, &cfg.ImagePullBackoffGracePeriod.Duration)
		ms(c.PodPendingTimeout, &cfg.PodPendingTimeout.Duration)
	}
	kf := kfDefaults
	if c != nil {
		ms(c.KfOperatorTimeout, &kf.Timeout.Duration)
	}
	if err := kfcommon.SetConfig(&kf); err != nil {
		return err
	}
	return k8sconfig.SetK8sPluginConfig(&cfg)
}

var kfDefaults = *kfcommon.GetConfig()

// ---------------------------------------------------------------------------------------------------------------
// one call
// ---------------------------------------------------------------------------------------------------------------

var phaseNames = map[pluginsCore.Phase]string{
	pluginsCore.PhaseUndefined:           "Undefined",
	pluginsCore.PhaseNotReady:            "NotReady",
	pluginsCore.PhaseWaitingForResources: "WaitingForResources",
	pluginsCore.PhaseQueued:              "Queued",
	pluginsCore.PhaseInitializing:        "Initializing",
	pluginsCore.PhaseRunning:             "Running",
	pluginsCore.PhaseSuccess:             "Success",
	pluginsCore.PhaseRetryableFailure:    "RetryableFailure",
	pluginsCore.PhasePermanentFailure:    "PermanentFailure",
	pluginsCore.PhaseWaitingForCache:     "WaitingForCache",
	pluginsCore.PhaseAborted:             "Aborted",
}

// phaseOfName is phaseNames backwards, for the previous plugin state of a request.
func phaseOfName(name string) (pluginsCore.Phase, error) {
	for p, n := range phaseNames {
		if n == name {
			return p, nil
		}
	}
	return pluginsCore.PhaseUndefined, fmt.Errorf("bad request: unknown phase %q in previous", name)
}

// getTaskPhase asks Flyte's pod plugin itself (its GetTaskPhase, through the registry: crd.go); a panic inside
// Flyte's code becomes an error. An object of another kind is what the plugin's type assertion (r.(*v1.Pod)) panics
// on: the same error, without decoding it as a pod.
func getTaskPhase(p *v1.Pod, state *k8s.PluginState) (pi pluginsCore.PhaseInfo, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in Flyte's phase functions: %v", r)
		}
	}()
	if p.Kind != "" && p.Kind != "Pod" {
		panic(fmt.Sprintf("interface conversion: client.Object is a %s, not *v1.Pod", p.Kind))
	}
	return getCRDTaskPhase("pod", p, *state)
}

// ---------------------------------------------------------------------------------------------------------------
// Kubeflow (PyTorchJob, TFJob, MPIJob)
// ---------------------------------------------------------------------------------------------------------------

// kfJob is the part of a training-operator job the three plugins' GetTaskPhase read: its kind, metadata and the
// kubeflow/common JobStatus that kubeflowv1.PyTorchJob, TFJob and MPIJob all embed as their status (README.md says
// why the training-operator types themselves are not linked; their replica specs only feed log links).
type kfJob struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Status            commonOp.JobStatus `json:"status,omitempty"`
}

func (j *kfJob) copy() *kfJob {
	c := &kfJob{TypeMeta: j.TypeMeta}
	j.ObjectMeta.DeepCopyInto(&c.ObjectMeta)
	j.Status.DeepCopyInto(&c.Status)
	return c
}

var kfKinds = map[string]string{"pytorch": "PyTorchJob", "tensorflow": "TFJob", "mpi": "MPIJob"}

// kubeflowPhase is the GetTaskPhase of v1.14.0's pytorch, tensorflow or mpi plugin, called through the registry on
// the request's job decoded into the training operator's type, with the metadata and status replaced by the shifted
// copy (a round trip through JSON would cut the half second the clock shift adds). A job whose kind is set and is
// not the plugin's is what the plugin's type assertion refuses: the same error, since a typed decode cannot carry
// another kind.
func kubeflowPhase(plugin string, job *kfJob, raw json.RawMessage, state *k8s.PluginState) (pluginsCore.PhaseInfo, error) {
	if job.Kind != "" && job.Kind != kfKinds[plugin] {
		return pluginsCore.PhaseInfoUndefined, fmt.Errorf("failed to convert resource data type")
	}
	var typed client.Object
	switch plugin {
	case "pytorch":
		o := &kubeflowv1.PyTorchJob{}
		if err := json.Unmarshal(raw, o); err != nil {
			return pluginsCore.PhaseInfoUndefined, fmt.Errorf("bad resource: %w", err)
		}
		o.ObjectMeta, o.Status = job.ObjectMeta, job.Status
		typed = o
	case "tensorflow":
		o := &kubeflowv1.TFJob{}
		if err := json.Unmarshal(raw, o); err != nil {
			return pluginsCore.PhaseInfoUndefined, fmt.Errorf("bad resource: %w", err)
		}
		o.ObjectMeta, o.Status = job.ObjectMeta, job.Status
		typed = o
	default:
		o := &kubeflowv1.MPIJob{}
		if err := json.Unmarshal(raw, o); err != nil {
			return pluginsCore.PhaseInfoUndefined, fmt.Errorf("bad resource: %w", err)
		}
		o.ObjectMeta, o.Status = job.ObjectMeta, job.Status
		typed = o
	}
	return getCRDTaskPhase(plugin, typed, *state)
}

func shiftJob(j *kfJob, d time.Duration) {
	shift(&j.CreationTimestamp, d)
	shift(j.DeletionTimestamp, d)
	shift(j.Status.StartTime, d)
	shift(j.Status.CompletionTime, d)
	shift(j.Status.LastReconcileTime, d)
	for i := range j.Status.Conditions {
		shift(&j.Status.Conditions[i].LastUpdateTime, d)
		shift(&j.Status.Conditions[i].LastTransitionTime, d)
	}
}

func getKubeflowTaskPhase(plugin string, j *kfJob, raw json.RawMessage, state *k8s.PluginState) (pi pluginsCore.PhaseInfo, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in Flyte's phase functions: %v", r)
		}
	}()
	return kubeflowPhase(plugin, j, raw, state)
}

type prepared struct {
	id     json.RawMessage
	plugin string
	pod    *v1.Pod
	job    *kfJob
	raw    json.RawMessage
	crd    client.Object
	now    time.Time
	cfg    *configRequest
	state  k8s.PluginState
}

func prepare(line []byte) (prepared, error) {
	var req request
	if err := json.Unmarshal(line, &req); err != nil {
		return prepared{}, fmt.Errorf("bad request: %w", err)
	}
	out := prepared{id: req.ID, cfg: req.Config, plugin: req.Plugin}
	if req.Now == nil {
		return out, errors.New("bad request: now (epoch milliseconds) is required")
	}
	out.now = time.UnixMilli(*req.Now)
	if req.Previous != nil {
		phase, err := phaseOfName(req.Previous.Phase)
		if err != nil {
			return out, err
		}
		out.state = k8s.PluginState{Phase: phase, PhaseVersion: req.Previous.Version, Reason: req.Previous.Reason}
	}
	switch req.Plugin {
	case "", "pod":
		out.plugin = "pod"
	case "pytorch", "tensorflow", "mpi":
		var j kfJob
		if err := json.Unmarshal(req.Resource, &j); err != nil {
			return out, fmt.Errorf("bad resource: %w", err)
		}
		out.job = &j
		out.raw = req.Resource
		return out, nil
	default:
		obj, known, err := decodeCRD(req.Plugin, req.Resource)
		if !known {
			return out, fmt.Errorf("bad request: unknown plugin %q", req.Plugin)
		}
		out.crd = obj
		return out, err
	}
	var p v1.Pod
	if err := json.Unmarshal(req.Pod, &p); err != nil {
		return out, fmt.Errorf("bad pod: %w", err)
	}
	out.pod = &p
	return out, nil
}

func answer(in prepared) response {
	res := response{ID: in.id}
	if err := applyConfig(in.cfg); err != nil {
		res.Error = err.Error()
		return res
	}
	delta := time.Since(in.now)
	var pi pluginsCore.PhaseInfo
	var err error
	state := in.state
	if in.crd != nil {
		// Spark and Dask stamp the wall clock and Ray the creation time; neither is compared, so nothing is shifted
		// and no occurredAt is reported.
		pi, err = getCRDTaskPhase(in.plugin, in.crd, state)
	} else if in.job != nil {
		j := in.job.copy()
		// The timeout check is a strict Before (creation + timeout < now), so the microseconds between computing
		// delta and the check would fail a job at exactly the timeout; half a second more keeps whole-second
		// boundaries exact (README.md, "How now is made to hold").
		shiftJob(j, delta+500*time.Millisecond)
		pi, err = getKubeflowTaskPhase(in.plugin, j, in.raw, &state)
	} else {
		p := in.pod.DeepCopy()
		shiftPod(p, delta)
		pi, err = getTaskPhase(p, &state)
	}
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.Phase = phaseNames[pi.Phase()]
	if res.Phase == "" {
		res.Phase = fmt.Sprintf("Phase(%d)", pi.Phase())
	}
	res.Version = pi.Version()
	res.Reason = pi.Reason()
	res.Cleanup = pi.CleanupOnFailure()
	if e := pi.Err(); e != nil {
		res.Code = e.GetCode()
		res.Kind = e.GetKind().String()
		res.Message = e.GetMessage()
	}
	if info := pi.Info(); in.crd == nil && info != nil && info.OccurredAt != nil && !info.OccurredAt.IsZero() {
		at := info.OccurredAt.Add(-delta).UnixMilli()
		res.OccurredAt = &at
	}
	return res
}

// ---------------------------------------------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------------------------------------------

func newScanner(r io.Reader) *bufio.Scanner {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 0, 1<<20), 64<<20)
	return s
}

func serve(in io.Reader, out io.Writer) error {
	r := bufio.NewReaderSize(in, 1<<20)
	w := bufio.NewWriterSize(out, 1<<16)
	enc := json.NewEncoder(w)
	for {
		line, readErr := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var res response
			if req, err := prepare(line); err != nil {
				res = response{ID: req.id, Error: err.Error()}
			} else {
				res = answer(req)
			}
			if err := enc.Encode(res); err != nil {
				return err
			}
		}
		// The caller waits for a batch's answers: flush whenever the input has nothing more buffered.
		if r.Buffered() == 0 || readErr != nil {
			if err := w.Flush(); err != nil {
				return err
			}
		}
		if readErr == io.EOF {
			return nil
		}
		if readErr != nil {
			return readErr
		}
	}
}

type benchResult struct {
	Calls          int     `json:"calls"`
	Inputs         int     `json:"inputs"`
	Decode         bool    `json:"decode"`
	Seconds        float64 `json:"seconds"`
	CPUSeconds     float64 `json:"cpuSeconds"`
	CallsPerSecond float64 `json:"callsPerSecond"`
	NsPerCall      float64 `json:"nsPerCall"`
	Errors         int     `json:"errors"`
}

// bench times n calls cycling over the inputs. Decoding, the config and the clock shift are done once per input
// before the clock starts, so only Flyte's phase functions are timed; with decode, every call also decodes its pod
// from the request's JSON text (what a watch event delivers), for a comparison from text to answer.
func bench(in io.Reader, out io.Writer, n int, decode bool) error {
	var inputs []*v1.Pod
	var texts [][]byte
	r := bufio.NewReaderSize(in, 1<<20)
	for {
		line, readErr := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			req, err := prepare(line)
			if err != nil {
				return err
			}
			var raw request
			if err := json.Unmarshal(line, &raw); err != nil {
				return err
			}
			if req.pod == nil {
				return errors.New("--bench times the pod plugin only")
			}
			p := req.pod.DeepCopy()
			shiftPod(p, time.Since(req.now))
			inputs = append(inputs, p)
			texts = append(texts, raw.Pod)
		}
		if readErr == io.EOF {
			break
		}
		if readErr != nil {
			return readErr
		}
	}
	if len(inputs) == 0 {
		return errors.New("--bench needs at least one request on stdin")
	}
	if err := applyConfig(nil); err != nil {
		return err
	}
	errs := 0
	var cpu0 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &cpu0)
	start := time.Now()
	for i := 0; i < n; i++ {
		p := inputs[i%len(inputs)]
		if decode {
			var fresh v1.Pod
			if err := json.Unmarshal(texts[i%len(texts)], &fresh); err != nil {
				errs++
				continue
			}
			p = &fresh
		}
		if _, err := getTaskPhase(p, &k8s.PluginState{}); err != nil {
			errs++
		}
	}
	elapsed := time.Since(start)
	var cpu1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &cpu1)
	cpu := time.Duration(cpu1.Utime.Nano()+cpu1.Stime.Nano()-cpu0.Utime.Nano()-cpu0.Stime.Nano()) * time.Nanosecond
	return json.NewEncoder(out).Encode(benchResult{
		Calls:          n,
		Inputs:         len(inputs),
		Decode:         decode,
		Seconds:        elapsed.Seconds(),
		CPUSeconds:     cpu.Seconds(),
		CallsPerSecond: float64(n) / elapsed.Seconds(),
		NsPerCall:      float64(elapsed.Nanoseconds()) / float64(n),
		Errors:         errs,
	})
}

func main() {
	n := flag.Int("bench", 0, "time N calls of Flyte's phase functions over the requests read from stdin")
	decode := flag.Bool("decode", false, "with --bench: decode each pod from its JSON text inside the timed loop")
	flag.Parse()
	// Flyte logs a warning for every failed pod; keep stderr quiet and the timings free of logging.
	if err := logger.SetConfig(&logger.Config{Level: logger.PanicLevel}); err != nil {
		fmt.Fprintln(os.Stderr, "flyte-oracle:", err)
		os.Exit(2)
	}
	var err error
	if *n > 0 {
		err = bench(os.Stdin, os.Stdout, *n, *decode)
	} else {
		err = serve(os.Stdin, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "flyte-oracle:", err)
		os.Exit(1)
	}
}
