package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/edigate/edigate/internal/store"
)

func TestExchangeHealthSavedAndReplaced(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	at := time.Date(2026, 11, 20, 14, 3, 0, 123, time.UTC)
	steps := []store.ExchangeHealth{
		{Clearinghouse: "b", LastSuccess: at},
		{Clearinghouse: "a", ConsecutiveFailures: 3, LastError: "sftp 10.0.0.1:22: dial: refused", LastFailure: at, Alert: true},
		{Clearinghouse: "b", ConsecutiveFailures: 1, LastError: "timeout", LastFailure: at.Add(time.Hour), LastSuccess: at},
	}
	for _, h := range steps {
		if err := db.SaveExchangeHealth(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.ExchangeHealths(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.ExchangeHealth{steps[1], steps[2]} // by id, the later b replacing the earlier
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}
