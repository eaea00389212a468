package voitex_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
)

// TestAnswerLost covers the case ErrMaybeDelivered exists for: Voitex acts
// on a request and the answer never arrives. Every send reports it and is
// not repeated, so the sandbox holds exactly one SMS, call, notification,
// recording or contact change; a select is a read and is simply retried.
func TestAnswerLost(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		setup func(*voitex.Client) error
		send  func(*voitex.Client) error
		acted func(*voitextest.Server) int
	}{
		{"sms", nil, func(c *voitex.Client) error {
			_, err := c.SMS.Send(ctx, voitex.SMSParams{From: "8459511000", To: "8451234567", Body: "once 📨"})
			return err
		}, func(s *voitextest.Server) int { return len(s.SentSMS()) }},
		{"notification call", nil, func(c *voitex.Client) error {
			_, err := c.Calls.Send(ctx, voitex.CallParams{CID: "8459511000", To: "8455009999", Type: voitex.CallGoto, RouteNumber: "8459511000", BranchNumber: "5"})
			return err
		}, func(s *voitextest.Server) int { return len(s.SentCalls()) }},
		{"notify", nil, func(c *voitex.Client) error {
			_, err := c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifySMS, CID: "8459511000", Phones: []string{"8451234567", "8459998888"}, Body: "שלום"})
			return err
		}, func(s *voitextest.Server) int { return len(s.SentNotifications()) }},
		{"upload", nil, func(c *voitex.Client) error {
			_, err := c.Recordings.Upload(ctx, voitex.UploadParams{AlbumNumber: 1, File: &voitex.File{Name: "a.wav", Reader: strings.NewReader("RIFF")}})
			return err
		}, func(s *voitextest.Server) int { return len(s.Recordings()) }},
		{"tts", nil, func(c *voitex.Client) error {
			_, err := c.Recordings.CreateTTS(ctx, voitex.TTSParams{AlbumNumber: 1, Text: "hi"})
			return err
		}, func(s *voitextest.Server) int { return len(s.Recordings()) }},
		{"contact create", nil, func(c *voitex.Client) error {
			_, err := c.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"7325550184"}})
			return err
		}, func(s *voitextest.Server) int { return len(s.Contacts()) }},
		{"contact update", func(c *voitex.Client) error {
			_, err := c.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"7325550184"}})
			return err
		}, func(c *voitex.Client) error {
			_, err := c.Contacts.Update(ctx, voitex.UpdateContactParams{Phone: "7325550184", AddPhone: "6465557729"})
			return err
		}, func(s *voitextest.Server) int { ct, _ := s.Contact("7325550184"); return len(ct.Phones) - 1 }},
		{"contact delete", func(c *voitex.Client) error {
			_, err := c.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"7325550184"}})
			return err
		}, func(c *voitex.Client) error {
			_, err := c.Contacts.Delete(ctx, voitex.DeleteContactParams{Phone: "7325550184"})
			return err
		}, func(s *voitextest.Server) int { return 1 - len(s.Contacts()) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, c := sandbox(t)
			if tc.setup != nil {
				require.NoError(t, tc.setup(c))
			}
			before := len(s.Requests())
			s.DropResponseNext(1)
			err := tc.send(c)
			assert.ErrorIs(t, err, voitex.ErrMaybeDelivered)
			var re *voitex.RequestError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, 1, re.Attempts)
			assert.Len(t, s.Requests(), before+1, "never repeated")
			assert.Equal(t, 1, tc.acted(s), "Voitex acted once")
		})
	}

	t.Run("select is retried", func(t *testing.T) {
		s, c := sandbox(t)
		_, err := c.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"7325550184"}, FirstName: "אבי"})
		require.NoError(t, err)
		s.DropResponseNext(1)
		got, err := c.Contacts.Select(ctx, voitex.SelectContactParams{Phone: "7325550184"})
		require.NoError(t, err)
		assert.Equal(t, "אבי", got.FirstName)
		assert.Equal(t, 3, s.Count(http.MethodPost, "/"), "one create, two selects")
	})
}
