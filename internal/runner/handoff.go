package runner

import (
	"context"
	"sync"
)

// handoff decides when OnInputRead may fire: once every input has been
// read and every unit has handed its URLs to the checker (or finished
// without any). Reading alone is too early: a worker may still be parsing
// a file whose URLs would grow a progress total already shown as final.
type handoff struct {
	mu      sync.Mutex
	pending int  // units yielded and not yet settled
	read    bool // the producer has yielded every unit
	fired   bool
	fire    func()
}

func (h *handoff) add() {
	h.mu.Lock()
	h.pending++
	h.mu.Unlock()
}

func (h *handoff) allRead() {
	h.mu.Lock()
	h.read = true
	h.maybeFire()
}

func (h *handoff) settle() {
	h.mu.Lock()
	h.pending--
	h.maybeFire()
}

// maybeFire is called with h.mu held and releases it; fire runs outside
// the lock, once.
func (h *handoff) maybeFire() {
	ready := h.read && h.pending == 0 && !h.fired
	if ready {
		h.fired = true
	}
	h.mu.Unlock()
	if ready {
		h.fire()
	}
}

// unitMark settles one unit once, from whichever comes first: its URLs
// handed to the checker (URLsHanded) or its check returning.
type unitMark struct {
	once sync.Once
	h    *handoff
}

func (m *unitMark) settle() { m.once.Do(m.h.settle) }

type markKey struct{}

// URLsHanded tells the runner that the unit checked under ctx has handed
// all its URLs to the checker: wire it to imagecheck.Checker.OnExpect.
// Outside a Runner's check it does nothing.
func URLsHanded(ctx context.Context) {
	if m, ok := ctx.Value(markKey{}).(*unitMark); ok {
		m.settle()
	}
}
