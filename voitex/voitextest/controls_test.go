package voitextest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/switchboard-go/switchboard/relay"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
)

// TestFailNextError checks every documented code: the client gets the
// *voitex.Error the table promises, in Voitex's envelope and status, and
// the sandbox does not act. A 500 to a send matches ErrMaybeDelivered all
// the same: the client cannot know that nothing went out.
func TestFailNextError(t *testing.T) {
	all := []error{voitex.ErrRateLimited, voitex.ErrUnauthorized, voitex.ErrNotFound, voitex.ErrValidation, voitex.ErrMaybeDelivered,
		voitex.ErrPhoneInUse, voitex.ErrContactNotFound, voitex.ErrLastPhone, voitex.ErrLabelNotFound, voitex.ErrNoValidPhone}
	cases := []struct {
		code   string
		status int
		ecode  string
		want   []error
	}{
		{voitex.CodeUnauthorized, 401, voitex.CodeUnauthorized, []error{voitex.ErrUnauthorized}},
		{voitex.CodePhoneInUse, 200, voitex.CodePhoneInUse, []error{voitex.ErrPhoneInUse, voitex.ErrValidation}},
		{voitex.CodeContactNotFound, 200, voitex.CodeContactNotFound, []error{voitex.ErrContactNotFound, voitex.ErrNotFound}},
		{voitex.CodeLastPhone, 200, voitex.CodeLastPhone, []error{voitex.ErrLastPhone, voitex.ErrValidation}},
		{voitex.CodeLabelNotFound, 200, voitex.CodeLabelNotFound, []error{voitex.ErrLabelNotFound, voitex.ErrValidation}},
		{voitex.CodeNoValidPhone, 200, voitex.CodeNoValidPhone, []error{voitex.ErrNoValidPhone, voitex.ErrValidation}},
		{"validation", 200, "error", []error{voitex.ErrValidation}},
		{"failure", 200, "failure", []error{voitex.ErrValidation}},
		{"rate_limited", 429, "error", []error{voitex.ErrRateLimited}},
		{"server_error", 500, "error", []error{voitex.ErrMaybeDelivered}},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			s := voitextest.NewServer()
			defer s.Close()
			c, err := s.NewClient(voitex.WithRetryMax(0))
			require.NoError(t, err)
			require.NoError(t, s.FailNextError(1, tc.code))
			_, err = c.SMS.Send(context.Background(), voitex.SMSParams{From: "8459511000", To: "8451234567", Body: "x"})
			var e *voitex.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.status, e.StatusCode)
			assert.Equal(t, tc.ecode, e.Code)
			for _, s := range all {
				want := false
				for _, w := range tc.want {
					want = want || w == s
				}
				assert.Equal(t, want, errors.Is(err, s), "errors.Is(%v)", s)
			}
			assert.Empty(t, s.SentSMS(), "Voitex did not act")
			if tc.code == "failure" {
				assert.Equal(t, "req_0a1b2c3d4e", e.RequestID)
			}
			// The fault was used once: the next send goes through.
			_, err = c.SMS.Send(context.Background(), voitex.SMSParams{From: "8459511000", To: "8451234567", Body: "x"})
			require.NoError(t, err)
		})
	}
	t.Run("unknown code", func(t *testing.T) {
		s := voitextest.NewServer()
		defer s.Close()
		err := s.FailNextError(1, "nope")
		require.Error(t, err)
		assert.Contains(t, err.Error(), voitex.CodePhoneInUse, "the error lists the accepted codes")
		c, err := s.NewClient()
		require.NoError(t, err)
		_, err = c.SMS.Send(context.Background(), voitex.SMSParams{From: "8459511000", To: "8451234567", Body: "x"})
		require.NoError(t, err, "nothing was queued")
	})
	t.Run("rate limited beyond the retries", func(t *testing.T) {
		s := voitextest.NewServer()
		defer s.Close()
		c, err := s.NewClient(voitex.WithRetryMax(1))
		require.NoError(t, err)
		require.NoError(t, s.FailNextError(2, "rate_limited"))
		_, err = c.SMS.Send(context.Background(), voitex.SMSParams{From: "8459511000", To: "8451234567", Body: "x"})
		assert.ErrorIs(t, err, voitex.ErrRateLimited)
		assert.Equal(t, 2, s.Count(http.MethodPost, "/send/"))
	})
}

// TestSeeding makes the documentation's fixed-id requests work at once.
func TestSeeding(t *testing.T) {
	s := voitextest.NewServer(voitextest.WithCustomFields("loyalty_tier"))
	defer s.Close()
	c, err := s.NewClient()
	require.NoError(t, err)
	ctx := context.Background()

	require.NoError(t, s.SeedContact(voitextest.Contact{
		Fields: map[string]string{"first_name": "John", "last_name": "Doe", "loyalty_tier": "gold"},
		Phones: []voitex.ContactPhone{{Phone: "7325550184"}, {Phone: "6465557729", Type: voitex.PhoneMobile}},
		Labels: []int{2, 3, 7, 42},
	}))
	got, err := c.Contacts.Select(ctx, voitex.SelectContactParams{Phone: "7325550184"})
	require.NoError(t, err)
	assert.Equal(t, "John", got.FirstName)
	assert.Equal(t, "gold", got.Fields["loyalty_tier"])
	assert.Equal(t, []voitex.ContactPhone{{Phone: "7325550184", Type: voitex.PhoneHome}, {Phone: "6465557729", Type: voitex.PhoneMobile}}, got.Phones)
	assert.Equal(t, []int{2, 3, 7, 42}, got.Labels)
	_, err = c.Contacts.Update(ctx, voitex.UpdateContactParams{Phone: "7325550184", RemoveLabels: []int{42}})
	require.NoError(t, err, "a seeded label exists on the account")

	for name, bad := range map[string]voitextest.Contact{
		"no phone":       {Fields: map[string]string{"first_name": "x"}},
		"phone in use":   {Phones: []voitex.ContactPhone{{Phone: "6465557729"}}},
		"twice":          {Phones: []voitex.ContactPhone{{Phone: "2015550123"}, {Phone: "2015550123"}}},
		"invalid phone":  {Phones: []voitex.ContactPhone{{Phone: "12"}}},
		"bad type":       {Phones: []voitex.ContactPhone{{Phone: "2015550123", Type: "W"}}},
		"unknown field":  {Phones: []voitex.ContactPhone{{Phone: "2015550123"}}, Fields: map[string]string{"shoe_size": "9"}},
		"label not >= 1": {Phones: []voitex.ContactPhone{{Phone: "2015550123"}}, Labels: []int{0}},
	} {
		assert.Error(t, s.SeedContact(bad), name)
	}
	assert.Len(t, s.Contacts(), 1, "a refused seed stores nothing")

	// The documented notification call streams sfile_id 918357.
	require.NoError(t, s.SeedRecording(voitextest.Recording{ID: "918357", Album: 1, Sort: 5, DisplayName: "Example Recording"}))
	_, err = c.Calls.Send(ctx, voitex.CallParams{CID: "8459511000", To: "8455009999", Type: voitex.CallStream, SFileID: "918357"})
	require.NoError(t, err)
	rec, err := c.Recordings.CreateTTS(ctx, voitex.TTSParams{AlbumNumber: 1, Text: "next"})
	require.NoError(t, err)
	assert.NotEqual(t, "918357", rec.ID, "generated ids skip seeded ones")
	r, ok := s.Recording(1, 6)
	require.True(t, ok, "the next free sort number after the seeded one")
	assert.Equal(t, rec.ID, r.ID)
	assert.Error(t, s.SeedRecording(voitextest.Recording{ID: "918357", Album: 2}), "id taken")
	assert.Error(t, s.SeedRecording(voitextest.Recording{Album: 1, Sort: 5}), "sort number taken")
	assert.Error(t, s.SeedRecording(voitextest.Recording{Album: 0}))
	require.NoError(t, s.SeedRecording(voitextest.Recording{Album: 2}))
	assert.Len(t, s.Recordings(), 3)
}

// TestClock: every time-dependent behaviour reads Now, which Advance moves.
func TestClock(t *testing.T) {
	base := time.Date(2026, 6, 24, 15, 30, 0, 0, time.UTC)
	s := voitextest.NewServer(voitextest.WithClock(func() time.Time { return base }))
	defer s.Close()
	c, err := s.NewClient()
	require.NoError(t, err)
	ctx := context.Background()
	assert.Equal(t, base, s.Now())

	at := base.Add(24 * time.Hour)
	r, err := c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifySMS, CID: "8459511000", To: "8451234567", Body: "x", ToBeSent: at})
	require.NoError(t, err)
	assert.Empty(t, r.Warnings)
	assert.True(t, s.SentNotifications()[0].Scheduled)

	s.Advance(48 * time.Hour)
	assert.Equal(t, base.Add(48*time.Hour), s.Now())
	r, err = c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifySMS, CID: "8459511000", To: "8451234567", Body: "x", ToBeSent: at})
	require.NoError(t, err)
	assert.Equal(t, []string{"to_be_sent is in the past; sending now"}, r.Warnings)
	assert.True(t, strings.HasPrefix(r.BatchID, "1_S_8451234567_8459511000_2606261530_"), r.BatchID)
	_, err = c.SMS.Send(ctx, voitex.SMSParams{From: "8459511000", To: "8451234567", Body: "x"})
	require.NoError(t, err)
	assert.Equal(t, base.Add(48*time.Hour), s.SentSMS()[0].At)
}

// TestReceive posts one API Branch request and reads the answer, as the
// IVR does, with the sandbox's contact and clock.
func TestReceive(t *testing.T) {
	base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	s := voitextest.NewServer(voitextest.WithClock(func() time.Time { return base }))
	defer s.Close()
	require.NoError(t, s.SeedContact(voitextest.Contact{Phones: []voitex.ContactPhone{{Phone: "7325550184"}}, Fields: map[string]string{"first_name": "רחל"}}))
	guard, err := relay.SecretToken(relay.QueryToken("token"), []string{token})
	require.NoError(t, err)
	var seen *voitex.BranchRequest
	h, err := voitex.NewBranchHandler(guard, func(ctx context.Context, call *voitex.BranchRequest) (*voitex.BranchResponse, error) {
		seen = call
		if call.CID == "0000000000" {
			return voitex.Goto("x"), nil // not a branch number: the fallback is sent instead
		}
		return voitex.NewBranchResponse().PlayTTS("שלום "+call.Contact.FirstName).Input("1", "200").SetVariable("seen", call.LastInput()), nil
	})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx := context.Background()

	d, err := s.Receive(ctx, voitextest.Inbound{URL: srv.URL + "?token=" + token, CallID: "AST10-1", CID: "7325550184", DID: "8459511110",
		BranchData: []voitex.BranchStep{{Branch: "100", Input: "3"}}, Payments: []voitextest.Payment{{LastFour: "4444", CVV: "987"}},
		Variables: map[string]string{"caller_pin": "123"}})
	require.NoError(t, err)
	assert.Equal(t, 200, d.StatusCode)
	assert.Equal(t, "200", d.Reply.Inputs["1"])
	assert.Equal(t, []voitex.Play{{Type: voitex.PlayTTSType, Text: "שלום רחל"}}, d.Reply.Play)
	assert.Equal(t, map[string]string{"seen": "3"}, d.Reply.Variables)
	require.NotNil(t, seen)
	assert.Equal(t, "AST10-1", seen.CallID)
	assert.Equal(t, base, seen.DateTime)
	assert.Equal(t, "987", seen.Payments[0].CVV.Reveal())
	assert.Equal(t, map[string]string{"caller_pin": "123"}, seen.Variables)
	var sent map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(d.Body, &sent))
	assert.JSONEq(t, `[{"caller_pin":"123"}]`, string(sent["variables"]))

	// An unknown caller: contact_info "null", and a handler's own fallback
	// for an invalid answer is still a valid answer.
	d, err = s.Receive(ctx, voitextest.Inbound{URL: srv.URL + "?token=" + token, CID: "0000000000"})
	require.NoError(t, err)
	assert.Equal(t, voitex.BranchResponse{}, d.Reply)
	require.NoError(t, json.Unmarshal(d.Body, &sent))
	assert.Equal(t, `"null"`, string(sent["contact_info"]))
	assert.True(t, strings.HasPrefix(seen.CallID, "SIM-"), seen.CallID)

	d, err = s.Receive(ctx, voitextest.Inbound{URL: srv.URL + "?token=wrong", CID: "7325550184"})
	var se *voitextest.StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 401, d.StatusCode)

	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"goto":"op"}`)) }))
	defer bad.Close()
	_, err = s.Receive(ctx, voitextest.Inbound{URL: bad.URL})
	assert.ErrorIs(t, err, voitex.ErrBranchResponse)
	_, err = s.Receive(ctx, voitextest.Inbound{})
	assert.Error(t, err, "a URL is required")

	ds := s.Deliveries()
	require.Len(t, ds, 4, "every request sent is recorded")
	assert.NoError(t, ds[0].Err)
	assert.Error(t, ds[2].Err)
	assert.ErrorIs(t, ds[3].Err, voitex.ErrBranchResponse)
}

// TestFaultControls drives the request log and fault controls through the
// Server's own methods.
func TestFaultControls(t *testing.T) {
	s := voitextest.NewServer()
	defer s.Close()
	c, err := s.NewClient(voitex.WithRetryMax(0))
	require.NoError(t, err)
	ctx := context.Background()
	sms := func() error {
		_, err := c.SMS.Send(ctx, voitex.SMSParams{From: "8459511000", To: "8451234567", Body: "x"})
		return err
	}

	s.FailNextWithHeader(1, http.StatusTooManyRequests, `{"status":"error","errors":["Too many requests"]}`, http.Header{"Retry-After": {"120"}})
	err = sms()
	var e *voitex.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 2*time.Minute, e.RetryAfter)

	s.FailNext(3, http.StatusInternalServerError, `{}`)
	s.ClearFaults()
	require.NoError(t, sms())

	s.DelayNext(1, 50*time.Millisecond)
	start := time.Now()
	require.NoError(t, sms())
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)

	reqs := s.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "fail", reqs[0].Fault)
	assert.Equal(t, "delay", reqs[2].Fault)
	assert.Equal(t, "/send/", reqs[1].Path)
	assert.Equal(t, voitextest.DefaultAuthKey, reqs[1].Header.Get("Auth-Key"))
	assert.Equal(t, 3, s.Count(http.MethodPost, "/send/"))
	s.ResetLog()
	assert.Empty(t, s.Requests())
	assert.Len(t, s.SentSMS(), 2)

	resp, err := s.Client().Get(s.URL + "/send/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}
