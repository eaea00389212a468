package loose

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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

func TestTypes(t *testing.T) {
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
		{`{"d":"a\"b \u05e9"}`, sample{D: "a\"b ש"}},
		{`{"f":1763719200123}`, sample{F: Time{time.UnixMilli(1763719200123).UTC()}}},
	} {
		var got sample
		require.NoError(t, json.Unmarshal([]byte(tc.in), &got), tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	// The policy: a field in a form nobody documented is zero, never a
	// failure of the whole answer.
	for _, odd := range []string{`{"a":"abc"}`, `{"a":1.5}`, `{"b":"x"}`, `{"b":"NaN"}`, `{"c":"maybe"}`, `{"c":2}`, `{"d":{}}`, `{"d":[1]}`, `{"e":"{"}`, `{"e":[1]}`, `{"f":"yesterday"}`} {
		got := sample{A: 9, B: 9, C: true, D: "x", F: Time{time.Now()}}
		require.NoError(t, json.Unmarshal([]byte(odd), &got), odd)
		var zero sample
		switch odd[2] {
		case 'a':
			assert.Equal(t, zero.A, got.A, odd)
		case 'b':
			assert.Equal(t, zero.B, got.B, odd)
		case 'c':
			assert.Equal(t, zero.C, got.C, odd)
		case 'd':
			assert.Equal(t, zero.D, got.D, odd)
		case 'e':
			assert.Equal(t, zero.E, got.E, odd)
		case 'f':
			assert.True(t, got.F.IsZero(), odd)
		}
	}
	b, err := json.Marshal(sample{E: Quoted[inner]{inner{3, "a"}}})
	require.NoError(t, err)
	assert.Contains(t, string(b), `"e":{"id":3,"name":"a"}`)
	assert.Contains(t, string(b), `"f":null`)
}

func TestUnmarshal(t *testing.T) {
	var v struct {
		A string `json:"a"`
		B int    `json:"b"`
	}
	// A field of the wrong JSON type is left zero; the others still decode.
	require.NoError(t, Unmarshal([]byte(`{"a":{"x":1},"b":3}`), &v))
	assert.Equal(t, "", v.A)
	assert.Equal(t, 3, v.B)
	// The structure itself must be right.
	assert.Error(t, Unmarshal([]byte(`[1,2]`), &v))
	assert.Error(t, Unmarshal([]byte(`{"a":`), &v))
	assert.Error(t, Unmarshal([]byte(`<html>`), &v))
}

func TestMembers(t *testing.T) {
	ms, err := Members([]byte(` {"a" : 1, " b ":"x,}\"]" ,"c":{"d":[1,{"e":"}"}]},"a":[ ],"f":null,"g":-1.5e3}`))
	require.NoError(t, err)
	var got [][2]string
	for _, m := range ms {
		got = append(got, [2]string{m.Key, string(m.Value)})
	}
	assert.Equal(t, [][2]string{{"a", "1"}, {"b", `"x,}\"]"`}, {"c", `{"d":[1,{"e":"}"}]}`}, {"a", "[ ]"}, {"f", "null"}, {"g", "-1.5e3"}}, got)
	ms, err = Members([]byte(`{}`))
	require.NoError(t, err)
	assert.Empty(t, ms)
	for _, bad := range []string{``, `[]`, `"{}"`, `{"a":}`, `{"a":1`, `{"a":1}x`} {
		_, err := Members([]byte(bad))
		assert.Error(t, err, bad)
	}
	f, err := Fields([]byte(`{"k":1,"k":2}`))
	require.NoError(t, err)
	assert.Equal(t, "2", string(f["k"]))
}

func TestTextAndDigits(t *testing.T) {
	for in, want := range map[string]string{`" x "`: "x", `"null"`: "", `null`: "", `12`: "12", `true`: "true", `"\u05e9"`: "ש", `{"a":1}`: `{"a":1}`} {
		assert.Equal(t, want, Text([]byte(in)), in)
	}
	assert.Equal(t, " x ", RawText([]byte(`" x "`)))
	assert.True(t, IsDigits("0123"))
	for _, s := range []string{"", "12a", "-1", "١٢"} {
		assert.False(t, IsDigits(s), s)
	}
	v, ok := IntOK([]byte(`"42"`))
	assert.True(t, ok)
	assert.EqualValues(t, 42, v)
	_, ok = IntOK([]byte(`"4x"`))
	assert.False(t, ok)
	for _, bad := range []string{`9.3e18`, `"0x10"`, `"1_000"`} {
		_, ok = IntOK([]byte(bad))
		assert.False(t, ok, bad)
	}
	for _, bad := range []string{`"NaN"`, `"Inf"`, `"0x1p-2"`, `"1_000"`} {
		var f Float = 5
		require.NoError(t, json.Unmarshal([]byte(bad), &f))
		assert.Zero(t, f, bad)
	}
	assert.True(t, ParseBool([]byte(`"yes"`)))
	_, ok = ParseTime([]byte(`"soon"`))
	assert.False(t, ok)
}

// FuzzLoose feeds arbitrary JSON to every type and to Members: nothing may
// panic, the types never fail, and Members agrees with encoding/json on
// what a valid object is.
func FuzzLoose(f *testing.F) {
	for _, s := range []string{`1`, `"1"`, `"null"`, `null`, `""`, `"{\"a\":1}"`, `{"a":1}`, `[1]`, `true`, `"2026-11-21 10:00:00"`, `1e400`, `"\u0000"`, `-0`, `{"a":{"b":"}"},"a":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var i Int
		var fl Float
		var bo Bool
		var s String
		var q Quoted[map[string]any]
		var tm Time
		if json.Valid(b) {
			for _, v := range []any{&i, &fl, &bo, &s, &q, &tm} {
				if err := json.Unmarshal(b, v); err != nil {
					t.Fatalf("%T failed on %q: %v", v, b, err)
				}
			}
		}
		ms, err := Members(b)
		var m map[string]json.RawMessage
		jerr := json.Unmarshal(b, &m)
		if (err == nil) != (jerr == nil && m != nil) {
			t.Fatalf("Members err=%v, encoding/json err=%v on %q", err, jerr, b)
		}
		for _, x := range ms {
			if !json.Valid(x.Value) {
				t.Fatalf("member %q has invalid value %q", x.Key, x.Value)
			}
		}
		// Misused on input that is not valid, it must not panic.
		_, _ = MembersOfValid(b)
	})
}

func TestMembersOfValid(t *testing.T) {
	ms, err := MembersOfValid([]byte(` {"a":{"b":1},"c":"d"}`))
	require.NoError(t, err)
	require.Len(t, ms, 2)
	assert.Equal(t, `{"b":1}`, string(ms[0].Value))
	inner, err := MembersOfValid(ms[0].Value)
	require.NoError(t, err)
	assert.Equal(t, "b", inner[0].Key)
	_, err = MembersOfValid([]byte(`[1]`))
	assert.Error(t, err)
}

func TestMembersKeysDoNotAllocateOnceSeen(t *testing.T) {
	body := []byte(`{"status":"success","remark":"x","data":{"id":1}}`)
	_, err := Members(body)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := Members(body); err != nil {
			t.Fatal(err)
		}
	})
	assert.LessOrEqual(t, allocs, 1.0, "only the member slice")
	ms, err := Members([]byte("{\" st\\u0061tus \":1,\"\xff\":2}"))
	require.NoError(t, err)
	assert.Equal(t, "status", ms[0].Key)
	assert.Equal(t, "\ufffd", ms[1].Key)
}
