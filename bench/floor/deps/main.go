// Command deps is issue 9's third floor: floor 2 (bench/floor/valid) with
// every package the preflight binary links, except preflight's own. It
// blank-imports what preflight's packages import, so the same dependency
// closure is linked and every package init of it runs; then it reads one
// file and runs json.Valid. bench/run.sh times it beside floor 2, so the gap
// between the floors is the dependency set's share of start-up and the gap
// to preflight is preflight's own (catalog, command tree, its inits).
//
// The linker drops code no one calls, so this binary is smaller than
// preflight: page faults for the dependencies' code preflight runs are
// counted on preflight's side. deps_test.go keeps the import list equal to
// the binary's dependency closure.
//
//	deps FILE   exit 0 if FILE is valid JSON, 1 if not, 2 on a read error
package main

import (
	_ "bufio"
	_ "bytes"
	_ "cmp"
	_ "context"
	_ "crypto/hmac"
	_ "crypto/rand"
	_ "crypto/sha256"
	_ "crypto/tls"
	_ "crypto/x509"
	_ "embed"
	_ "encoding/binary"
	_ "encoding/hex"
	_ "encoding/xml"
	_ "errors"
	_ "hash/maphash"
	_ "image"
	_ "image/color"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	_ "io"
	_ "io/fs"
	_ "log/slog"
	_ "maps"
	_ "math"
	_ "math/bits"
	_ "mime"
	_ "net"
	_ "net/http"
	_ "net/http/httptrace"
	_ "net/http/httputil"
	_ "net/netip"
	_ "net/url"
	_ "os/exec"
	_ "os/signal"
	_ "path"
	_ "path/filepath"
	_ "reflect"
	_ "runtime"
	_ "runtime/debug"
	_ "slices"
	_ "sort"
	_ "strconv"
	_ "strings"
	_ "sync"
	_ "sync/atomic"
	_ "syscall"
	_ "text/tabwriter"
	_ "time"
	_ "unicode"
	_ "unicode/utf16"
	_ "unicode/utf8"
	_ "unsafe"

	"encoding/json"
	"fmt"
	"os"

	_ "github.com/cenkalti/backoff/v5"
	_ "github.com/disintegration/imaging"
	_ "github.com/go-json-experiment/json"
	_ "github.com/go-json-experiment/json/jsontext"
	_ "github.com/goccy/go-yaml"
	_ "github.com/goccy/go-yaml/ast"
	_ "github.com/goccy/go-yaml/parser"
	_ "github.com/goccy/go-yaml/token"
	_ "github.com/h2non/filetype"
	_ "github.com/h2non/filetype/matchers/isobmff"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "github.com/spf13/cobra"
	_ "github.com/spf13/pflag"
	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
	_ "golang.org/x/net/http/httpproxy"
	_ "golang.org/x/net/idna"
	_ "golang.org/x/sync/errgroup"
	_ "golang.org/x/sync/semaphore"
	_ "golang.org/x/sync/singleflight"
	_ "golang.org/x/term"
	_ "golang.org/x/text/width"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: deps FILE")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if !json.Valid(data) {
		os.Exit(1)
	}
}
