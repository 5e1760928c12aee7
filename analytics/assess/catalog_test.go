package assess

import (
	"testing"
)

func TestEmbeddedCatalogIsValid(t *testing.T) {
	if _, err := ParseCatalog("catalog.yaml", defaultCatalog); err != nil {
		t.Fatal(err)
	}
}
