// Package library holds issue 9's library benchmarks beside their floor:
// validate.Request on 921-byte bodies never seen before (cold), on one body
// repeated (warm), and a bare jsontext token pass over the same bytes with
// one reused decoder (the floor). bench/run.sh (`make bench`) turns them
// into the ratio of the table; by hand:
//
//	go test -run '^$' -bench . -benchmem -count 5 ./bench/library/
//
// Only the public validate.Request is used, so the benchmarks survive a
// rewrite of the engine behind it.
package library
