package validate_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/preflight-dev/preflight/validate"
)

// fakeAPI stands in for https://api.apixo.ai in the examples.
func fakeAPI() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"code":200,"message":"success","data":{"taskId":"task_123"}}`)
	}))
}

// The three-line integration: wrap the client's transport, and requests the
// API would fail come back as a 400 in the API's own error envelope, without
// being sent.
func ExampleNewTransport() {
	api := fakeAPI()
	defer api.Close()

	client := &http.Client{Transport: validate.NewTransport(nil)}
	resp, err := client.Post(api.URL+"/api/v1/generateTask/nano-banana", "application/json",
		strings.NewReader(`{"input": {"prompt": ""}}`))
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var apiErr struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	json.NewDecoder(resp.Body).Decode(&apiErr)
	fmt.Println(resp.StatusCode, apiErr.Code, apiErr.Message)
	// Output:
	// 400 400 preflight: request would fail: prompt is empty
}

// With WithRejectError a refused request is an error to match with errors.As.
func ExampleWithRejectError() {
	api := fakeAPI()
	defer api.Close()

	client := &http.Client{Transport: validate.NewTransport(nil, validate.WithRejectError())}
	_, err := client.Post(api.URL+"/api/v1/generateTask/nano-banana", "application/json",
		strings.NewReader(`{"input": {"prompt": "a fox", "aspect_ratio": "7:3"}}`))
	var rej *validate.RejectedError
	if errors.As(err, &rej) {
		for _, f := range rej.Findings {
			fmt.Printf("%s %s: %s\n", f.Rule, f.Pointer, f.Fix)
		}
	}
	// Output:
	// field-enum /input/aspect_ratio: Use one of the allowed values.
}

// Valid requests go through unchanged; warnings can be logged.
func ExampleWithOnFindings() {
	api := fakeAPI()
	defer api.Close()

	client := &http.Client{Transport: validate.NewTransport(nil,
		validate.WithOnFindings(func(req *http.Request, rep validate.Report) {
			for _, f := range rep.Findings {
				fmt.Printf("%s: %s: %s\n", req.URL.Path, f.Severity, f.Message)
			}
		}))}
	resp, err := client.Post(api.URL+"/api/v1/generateTask/nano-banana", "application/json",
		strings.NewReader(`{"input": {"prompt": "a fox", "colour": "red"}}`))
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output:
	// /api/v1/generateTask/nano-banana: warning: nano-banana does not document an input field "colour"
	// 200
}
