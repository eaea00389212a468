package transport

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLenientTypes(t *testing.T) {
	type inner struct {
		ID   Int    `json:"id"`
		Name string `json:"name"`
	}
	type sample struct {
		A Int           `json:"a"`
		B Float         `json:"b"`
		C Bool          `json:"c"`
		D String        `json:"d"`
		E Quoted[inner] `json:"e"`
		F Time          `json:"f"`
	}
	for _, tc := range []struct {
		in   string
		want sample
	}{
		{`{"a":5,"b":1.5,"c":true,"d":"x","e":{"id":1,"name":"שלום"},"f":"2026-11-21T10:00:00Z"}`,
			sample{5, 1.5, true, "x", Quoted[inner]{inner{1, "שלום"}}, Time{time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}}},
		{`{"a":"5","b":"1.5","c":1,"d":12,"e":"{\"id\":\"2\",\"name\":\"👍\"}","f":"2026-11-21 10:00:00"}`,
			sample{5, 1.5, true, "12", Quoted[inner]{inner{2, "👍"}}, Time{time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}}},
		{`{"a":"null","b":null,"c":"0","d":"null","e":"null","f":"null"}`, sample{}},
		{`{"a":"","b":"","c":"","d":null,"e":"","f":""}`, sample{}},
		{`{"a":" 7 ","c":"true","f":1763719200}`, sample{A: 7, C: true, F: Time{time.Unix(1763719200, 0).UTC()}}},
		{`{"a":7.0,"c":"false","f":"2026-11-21"}`, sample{A: 7, F: Time{time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)}}},
	} {
		var got sample
		require.NoError(t, json.Unmarshal([]byte(tc.in), &got), tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	for _, bad := range []string{`{"a":"x"}`, `{"a":1.5}`, `{"b":"x"}`, `{"c":"maybe"}`, `{"c":2}`, `{"d":{}}`, `{"e":"{"}`, `{"f":"yesterday"}`} {
		var got sample
		assert.Error(t, json.Unmarshal([]byte(bad), &got), bad)
	}
	b, err := json.Marshal(sample{E: Quoted[inner]{inner{3, "a"}}})
	require.NoError(t, err)
	assert.Contains(t, string(b), `"e":{"id":3,"name":"a"}`)
	assert.Contains(t, string(b), `"f":null`)
}

// FuzzLenient feeds arbitrary JSON to every lenient type: decoding may fail
// but must never panic.
func FuzzLenient(f *testing.F) {
	for _, s := range []string{`1`, `"1"`, `"null"`, `null`, `""`, `"{\"a\":1}"`, `{"a":1}`, `[1]`, `true`, `"2026-11-21 10:00:00"`, `1e400`, `"\u0000"`, `-0`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var i Int
		var fl Float
		var bo Bool
		var s String
		var q Quoted[map[string]any]
		var tm Time
		_ = json.Unmarshal(b, &i)
		_ = json.Unmarshal(b, &fl)
		_ = json.Unmarshal(b, &bo)
		_ = json.Unmarshal(b, &s)
		_ = json.Unmarshal(b, &q)
		_ = json.Unmarshal(b, &tm)
	})
}

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
