package voitextest_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
)

func post(t *testing.T, s *voitextest.Server, path string, form url.Values) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Auth-Key", voitextest.DefaultAuthKey)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestRawSamples sends the documentation's request samples as written,
// stray spaces in keys included.
func TestRawSamples(t *testing.T) {
	s := voitextest.NewServer()
	defer s.Close()
	code, body := post(t, s, "/", url.Values{"cid": {"8459511000"}, "to": {"8455009999"}, "type": {"goto"}, "route_number": {"8459511000"}, "branch_number ": {"8459511000"}})
	assert.Equal(t, 200, code)
	assert.Contains(t, body, `"reference_id"`)
	calls := s.SentCalls()
	require.Len(t, calls, 1)
	assert.Equal(t, "8459511000", calls[0].BranchNumber)

	code, body = post(t, s, "/send/", url.Values{"from ": {"8459511000 "}, "to": {"8451234567"}, "body": {"This is a test message body"}})
	assert.Equal(t, 200, code)
	assert.Contains(t, body, `\"did_type \":\"TN \"`)
	assert.Equal(t, 2, strings.Count(body, `\"from \"`), "the duplicate key of the sample")

	_, body = post(t, s, "/", url.Values{"function": {"create"}, "phone": {"7325550184"}, "phone_type": {"H"}, "first_name": {"John"}, "last_name": {"Doe"}, "label": {"2"}})
	assert.JSONEq(t, `{"status":"success","data":"Contact created","errors":[]}`, body)
	_, body = post(t, s, "/", url.Values{"function": {"select"}, "phone": {"7325550184"}})
	assert.JSONEq(t, `{"status":"success","errors":[],"data":{"contact":{"first_name":"John","last_name":"Doe","email":"","notes":"","exp":null,"address":"","city":"","state":"","zip":"",
		"field_a":"","field_b":"","field_c":"","field_d":"","field_e":"","field_f":"","field_g":"","field_h":"","field_i":"","field_j":""},
		"phones":[{"phone":"7325550184","type":"H"}],"labels":[2]}}`, body)
	_, body = post(t, s, "/", url.Values{"function": {"update"}, "phone": {"7325550184"}, "add_phone": {"6465557729"}, "add_phone_type": {"bogus"}, "phone_type": {"bogus"}})
	assert.Contains(t, body, "Contact updated")
	c, _ := s.Contact("6465557729")
	assert.Equal(t, "H", string(c.Phones[0].Type), "invalid types are ignored")
	assert.Equal(t, "H", string(c.Phones[1].Type), "and an added phone defaults to H")
	_, body = post(t, s, "/", url.Values{"function": {"update"}, "phone": {"7325550184"}, "add_phone": {"6465557729"}, "add_phone_type": {"M"}})
	assert.Contains(t, body, "Contact updated")
	c, _ = s.Contact("6465557729")
	assert.Len(t, c.Phones, 2, "an existing phone is not duplicated")
	assert.Equal(t, "M", string(c.Phones[1].Type), "its type may be updated")

	_, body = post(t, s, "/", url.Values{"function": {"merge"}, "phone": {"7325550184"}})
	assert.Contains(t, body, `"status":"error"`)
	_, body = post(t, s, "/notify/", url.Values{"type": {"CALL"}, "cid": {"8459511000"}, "to": {"8451234567"}, "call_type": {"ring"}})
	assert.Contains(t, body, "call_type must be stream or goto")
	assert.Contains(t, body, `"request_id":"req_`)
	_, body = post(t, s, "/notify/", url.Values{"type": {"SMS"}, "from": {"8459511000"}, "to": {"8451234567"}, "message": {"alias"}})
	assert.Contains(t, body, `"status":"success"`)
	_, body = post(t, s, "/notify/", url.Values{"type": {"SMS"}, "cid": {"8459511000"}, "to": {"8451234567"}, "phones": {"8451234568"}, "body": {"x"}})
	assert.Contains(t, body, "exactly one of to, phones or label")
	_, body = post(t, s, "/notify/", url.Values{"type": {"SMS"}, "cid": {"8459511000"}, "to": {"8451234567"}, "body": {strings.Repeat("é", 1001)}})
	assert.Contains(t, body, "at most 1000 characters")
	_, body = post(t, s, "/notify/", url.Values{"type": {"SMS"}, "cid": {"8459511000"}, "to": {"8451234567"}, "body": {"x"}, "to_be_sent": {"2026-07-01T09:00:00Z"}})
	assert.Contains(t, body, "YYYY-MM-DD HH:MM:SS")

	code, _ = post(t, s, "/nowhere/", url.Values{})
	assert.Equal(t, 404, code)
	resp, err := http.Get(s.URL + "/upload/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 405, resp.StatusCode)
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/send/", nil)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 401, resp.StatusCode)
}
