module github.com/preflight-dev/preflight

go 1.26.8
