package memstore_test

import (
	"testing"

	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/store"
	"github.com/resreg/resreg/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return memstore.New() })
}
