// yaml11 reads a YAML stream on stdin as kubectl does and prints its documents as a JSON array on stdout.
//
// kubectl splits a stream at lines that are exactly "---" (k8s.io/apimachinery's YAMLReader), then converts each
// document with sigs.k8s.io/yaml.YAMLToJSON, which reads it with go-yaml v2: YAML 1.1 plain scalars, so `yes`, `on`
// and `0o17` are a boolean and a number there. A document that reads as null (only comments) is left out, as kubectl
// leaves it out. Exit status 1 and a message on stderr when a document does not parse.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"sigs.k8s.io/yaml"
)

// split cuts a stream at separator lines: "---" followed by nothing but white space.
func split(stream []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(stream))
	sc.Buffer(make([]byte, 1024*1024), 64*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "---") && strings.TrimSpace(line[3:]) == "" {
			docs = append(docs, append([]byte(nil), cur.Bytes()...))
			cur.Reset()
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	return append(docs, cur.Bytes())
}

func main() {
	stream, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "yaml11: reading stdin: %v\n", err)
		os.Exit(1)
	}
	out := []json.RawMessage{}
	for i, doc := range split(stream) {
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			fmt.Fprintf(os.Stderr, "yaml11: document %d: %v\n", i+1, err)
			os.Exit(1)
		}
		if string(bytes.TrimSpace(j)) == "null" {
			continue
		}
		out = append(out, j)
	}
	enc, err := json.Marshal(out)
	if err != nil {
		fmt.Fprintf(os.Stderr, "yaml11: %v\n", err)
		os.Exit(1)
	}
	os.Stdout.Write(append(enc, '\n'))
}
