// kstatus prints what the kstatus library of sigs.k8s.io/cli-utils (used by Flux, kpt and
// cli-utils' apply) computes for each object it reads: the test of docs/gitops.md's promise that
// GitOps tools tell "in progress" from "failed" and "done" on our kinds.
//
// Input (stdin): a JSON array of Kubernetes objects. Output (stdout): a JSON array with one
// {"status": ..., "message": ...} per object, in the same order; status is one of InProgress,
// Failed, Current, Terminating, NotFound, Unknown.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type result struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

func main() {
	var objects []json.RawMessage
	if err := json.NewDecoder(os.Stdin).Decode(&objects); err != nil {
		fmt.Fprintf(os.Stderr, "kstatus: stdin must be a JSON array of objects: %v\n", err)
		os.Exit(2)
	}
	results := make([]result, 0, len(objects))
	for i, raw := range objects {
		// Unstructured's own decoder keeps integers as int64, which kstatus's accessors expect.
		obj := &unstructured.Unstructured{}
		if err := obj.UnmarshalJSON(raw); err != nil {
			fmt.Fprintf(os.Stderr, "kstatus: object %d: %v\n", i, err)
			os.Exit(2)
		}
		res, err := status.Compute(obj)
		if err != nil {
			fmt.Fprintf(os.Stderr, "kstatus: object %d: %v\n", i, err)
			os.Exit(1)
		}
		results = append(results, result{Status: res.Status.String(), Message: res.Message})
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		fmt.Fprintf(os.Stderr, "kstatus: %v\n", err)
		os.Exit(1)
	}
}
