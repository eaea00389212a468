package transport

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPages(t *testing.T) {
	fetches := 0
	pages := map[int]Page[int]{1: {Items: []int{1, 2}}, 2: {Items: []int{3}}, 3: {Items: []int{4}, Last: true}, 4: {Items: []int{99}}}
	fetch := func(_ context.Context, p int) (Page[int], error) { fetches++; return pages[p], nil }
	var got []int
	for v, err := range Pages(context.Background(), 1, fetch) {
		require.NoError(t, err)
		got = append(got, v)
	}
	assert.Equal(t, []int{1, 2, 3, 4}, got)
	assert.Equal(t, 3, fetches, "stops after the last page")

	// An empty page ends the walk too.
	fetches = 0
	pages[2] = Page[int]{}
	got = nil
	for v, err := range Pages(context.Background(), 1, fetch) {
		require.NoError(t, err)
		got = append(got, v)
	}
	assert.Equal(t, []int{1, 2}, got)

	// Breaking early fetches nothing more.
	fetches = 0
	for range Pages(context.Background(), 1, fetch) {
		break
	}
	assert.Equal(t, 1, fetches)

	// An error is yielded once and ends the walk.
	boom := errors.New("boom")
	n := 0
	for _, err := range Pages(context.Background(), 1, func(context.Context, int) (Page[int], error) { return Page[int]{}, boom }) {
		n++
		assert.ErrorIs(t, err, boom)
	}
	assert.Equal(t, 1, n)

	// A cancelled context stops before fetching.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fetches = 0
	for _, err := range Pages(ctx, 1, fetch) {
		assert.ErrorIs(t, err, context.Canceled)
	}
	assert.Equal(t, 0, fetches)
}
