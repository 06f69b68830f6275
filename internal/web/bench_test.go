package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkPages measures a signed-in page render against the seeded SQLite store,
// handler only (no network): the store queries plus template execution.
func BenchmarkPages(b *testing.B) {
	for _, path := range []string{"/", "/sessions", "/sessions/S-1", "/queues/holds"} {
		b.Run(path, func(b *testing.B) {
			f := newFixture(b, nil)
			sid := f.h.auth.start(testUser)
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: sid})
				w := httptest.NewRecorder()
				f.h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d", path, w.Code)
				}
			}
		})
	}
}
