package download

import (
	"context"
	"errors"
	"strings"
)

// errProbeDone ends Probe's listing after its first page.
var errProbeDone = errors.New("first page read")

// Probe lists the first page under prefix and reads one byte of the first
// object there: the two permissions a download needs, each proven with the
// fewest bytes. An empty location proves the listing only.
func Probe(ctx context.Context, st Store, bucket, prefix string) error {
	var first *Object
	err := st.List(ctx, bucket, NormalizePrefix(prefix), func(page []Object) error {
		for _, o := range page {
			if o.Size > 0 && !strings.HasSuffix(o.Key, "/") {
				first = &o
				break
			}
		}
		return errProbeDone
	})
	if err != nil && !errors.Is(err, errProbeDone) {
		return err
	}
	if first == nil {
		return nil
	}
	resp, err := st.Get(ctx, GetRequest{Bucket: bucket, Key: first.Key, Length: 1})
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
