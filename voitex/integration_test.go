package voitex_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
)

func sandbox(t *testing.T, opts ...voitextest.Option) (*voitextest.Server, *voitex.Client) {
	t.Helper()
	s := voitextest.NewServer(opts...)
	t.Cleanup(s.Close)
	c, err := s.NewClient()
	require.NoError(t, err)
	return s, c
}

func TestSandboxRecordings(t *testing.T) {
	s, c := sandbox(t)
	ctx := context.Background()
	f, err := voitex.OpenFile("testdata/hello.wav")
	require.NoError(t, err)
	defer f.Reader.(interface{ Close() error }).Close()

	rec, err := c.Recordings.Upload(ctx, voitex.UploadParams{AlbumNumber: 1, File: f, DisplayName: "ברוכים הבאים"})
	require.NoError(t, err)
	got, ok := s.Recording(1, 1)
	require.True(t, ok, "first free sort number")
	assert.Equal(t, rec.ID, got.ID)
	assert.Equal(t, "ברוכים הבאים", got.DisplayName)
	assert.Equal(t, "hello.wav", got.FileName)
	assert.Equal(t, int64(44), got.Size)

	tts, err := c.Recordings.CreateTTS(ctx, voitex.TTSParams{AlbumNumber: 1, Text: "שלום, ברוכים הבאים 👋"})
	require.NoError(t, err)
	got, ok = s.Recording(1, 2)
	require.True(t, ok)
	assert.Equal(t, tts.ID, got.ID)
	assert.True(t, got.TTS)
	assert.Equal(t, "שלום, ברוכים הבאים 👋", got.Text)

	_, err = c.Recordings.CreateTTS(ctx, voitex.TTSParams{AlbumNumber: 1, SortNumber: 2, Text: "again"})
	var e *voitex.Error
	require.ErrorAs(t, err, &e)
	assert.Contains(t, e.Error(), "sort_number 2 already exists in album 1")

	again, err := c.Recordings.CreateTTS(ctx, voitex.TTSParams{AlbumNumber: 1, SortNumber: 2, Text: "again", Override: true})
	require.NoError(t, err)
	got, _ = s.Recording(1, 2)
	assert.Equal(t, again.ID, got.ID)
	assert.Equal(t, "again", got.Text)
	assert.Len(t, s.Recordings(), 2)

	// The documented type rule is enforced by the sandbox too, for clients
	// that bypass the SDK's check with a content type.
	_, err = c.Recordings.Upload(ctx, voitex.UploadParams{AlbumNumber: 1, File: &voitex.File{Name: "x.ogg", ContentType: "audio/wav", Reader: strings.NewReader("x")}})
	require.ErrorAs(t, err, &e)
	assert.Contains(t, e.Error(), "wav or mp3")
}

func TestSandboxCallsAndSMS(t *testing.T) {
	s, c := sandbox(t)
	ctx := context.Background()
	rec, err := c.Recordings.CreateTTS(ctx, voitex.TTSParams{AlbumNumber: 2, Text: "Your appointment is tomorrow"})
	require.NoError(t, err)

	call, err := c.Calls.Send(ctx, voitex.CallParams{CID: "8459511000", To: "8455009999", Type: voitex.CallStream, SFileID: rec.ID})
	require.NoError(t, err)
	assert.Len(t, call.ReferenceID, 15)
	_, err = c.Calls.Send(ctx, voitex.CallParams{CID: "8459511000", To: "8455009999", Type: voitex.CallGoto, RouteNumber: "8459511000", BranchNumber: "12"})
	require.NoError(t, err)
	_, err = c.Calls.Send(ctx, voitex.CallParams{CID: "8459511000", To: "8455009999", Type: voitex.CallStream, SFileID: "404"})
	assert.ErrorContains(t, err, "sfile_id 404 not found")
	calls := s.SentCalls()
	require.Len(t, calls, 2)
	assert.Equal(t, call.ReferenceID, calls[0].ReferenceID)
	assert.Equal(t, "12", calls[1].BranchNumber)

	sms, err := c.SMS.Send(ctx, voitex.SMSParams{From: "8459511000", To: "8451234567", Body: "שלום! 🎉 Your code is 4411"})
	require.NoError(t, err)
	sent := s.SentSMS()
	require.Len(t, sent, 1)
	assert.Equal(t, "שלום! 🎉 Your code is 4411", sent[0].Body)
	assert.Equal(t, "8451234567", sms.To)
	assert.Equal(t, "שלום! 🎉 Your code is 4411", sms.Body)
	assert.Equal(t, voitex.DIDTelephone, sms.DIDType)
	assert.Equal(t, sent[0].ReferenceID, sms.ReferenceID, "the sandbox repeats the documented duplicate key, the id second")
	assert.Equal(t, "8459511000", sms.From)

	tf, err := c.SMS.Send(ctx, voitex.SMSParams{From: "8885550100", To: "8451234567", Body: "x"})
	require.NoError(t, err)
	assert.Equal(t, voitex.DIDTollFree, tf.DIDType)
}

func TestSandboxContactRules(t *testing.T) {
	s, c := sandbox(t, voitextest.WithCustomFields("loyalty"))
	ctx := context.Background()
	_, err := c.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"7325550184", "6465557729"}, PhoneType: voitex.PhoneMobile, FirstName: "דנה", LastName: "Doe", Label: 2})
	require.NoError(t, err)

	_, err = c.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"2015550123", "6465557729"}})
	assert.ErrorIs(t, err, voitex.ErrPhoneInUse)
	assert.ErrorContains(t, err, "contact already exists with phone(s): 6465557729")
	_, err = c.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"2015550123"}, Label: 99})
	assert.ErrorIs(t, err, voitex.ErrLabelNotFound)
	_, err = c.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"2015550123"}, FirstName: "Other"})
	require.NoError(t, err)

	_, err = c.Contacts.Update(ctx, voitex.UpdateContactParams{Phone: "6465557729", Email: voitex.String("dana@example.com"),
		Notes: voitex.String("VIP ⭐"), Exp: voitex.String("2026-02-01"), FieldA: voitex.String("1234"),
		Custom: map[string]string{"loyalty": "gold"}, AddLabels: []int{3, 7}, RemoveLabels: []int{2}})
	require.NoError(t, err)
	got, err := c.Contacts.Select(ctx, voitex.SelectContactParams{Phone: "7325550184"})
	require.NoError(t, err)
	assert.Equal(t, "דנה", got.FirstName)
	assert.Equal(t, "dana@example.com", got.Email)
	assert.Equal(t, "VIP ⭐", got.Notes)
	assert.Equal(t, "2026-02-01", got.Exp)
	assert.Equal(t, "gold", got.Fields["loyalty"])
	assert.Equal(t, []int{3, 7}, got.Labels)
	assert.Equal(t, []voitex.ContactPhone{{Phone: "7325550184", Type: voitex.PhoneMobile}, {Phone: "6465557729", Type: voitex.PhoneMobile}}, got.Phones)

	// nil leaves alone, "" clears.
	_, err = c.Contacts.Update(ctx, voitex.UpdateContactParams{Phone: "7325550184", Email: voitex.String(""), Exp: voitex.String("")})
	require.NoError(t, err)
	got, err = c.Contacts.Select(ctx, voitex.SelectContactParams{Phone: "7325550184"})
	require.NoError(t, err)
	assert.Equal(t, "", got.Email)
	assert.Equal(t, "", got.Exp)
	assert.Equal(t, "VIP ⭐", got.Notes, "left alone")
	assert.Equal(t, "דנה", got.FirstName, "left alone")

	_, err = c.Contacts.Update(ctx, voitex.UpdateContactParams{Phone: "7325550184", AddPhone: "2015550123"})
	assert.ErrorIs(t, err, voitex.ErrPhoneInUse)
	_, err = c.Contacts.Update(ctx, voitex.UpdateContactParams{Phone: "7325550184", AddLabels: []int{4, 42}})
	assert.ErrorIs(t, err, voitex.ErrLabelNotFound)
	assert.ErrorContains(t, err, "42")
	_, err = c.Contacts.Update(ctx, voitex.UpdateContactParams{Phone: "9175550100", FirstName: voitex.String("x")})
	assert.ErrorIs(t, err, voitex.ErrContactNotFound)
	assert.ErrorIs(t, err, voitex.ErrNotFound)

	_, err = c.Contacts.Update(ctx, voitex.UpdateContactParams{Phone: "7325550184", RemovePhone: "6465557729", PhoneType: voitex.PhoneHome})
	require.NoError(t, err)
	_, err = c.Contacts.Update(ctx, voitex.UpdateContactParams{Phone: "7325550184", RemovePhone: "7325550184"})
	assert.ErrorIs(t, err, voitex.ErrLastPhone)
	// Adding and removing in one request keeps a phone.
	_, err = c.Contacts.Update(ctx, voitex.UpdateContactParams{Phone: "7325550184", AddPhone: "9175550111", AddPhoneType: voitex.PhoneMobile, RemovePhone: "7325550184"})
	require.NoError(t, err)
	got2, ok := s.Contact("9175550111")
	require.True(t, ok)
	assert.Equal(t, []voitex.ContactPhone{{Phone: "9175550111", Type: voitex.PhoneMobile}}, got2.Phones)
	// A failed update changes nothing.
	assert.Equal(t, []int{3, 7}, got2.Labels)

	_, err = c.Contacts.Delete(ctx, voitex.DeleteContactParams{Phone: "9175550111"})
	require.NoError(t, err)
	_, err = c.Contacts.Select(ctx, voitex.SelectContactParams{Phone: "9175550111"})
	assert.ErrorIs(t, err, voitex.ErrContactNotFound)
	_, err = c.Contacts.Delete(ctx, voitex.DeleteContactParams{Phone: "9175550111"})
	assert.ErrorIs(t, err, voitex.ErrContactNotFound)
	// A malformed phone no longer reaches the sandbox (which would answer
	// ErrNoValidPhone, as TestRawRequestsWithBadPhones in voitextest
	// shows): the client refuses it.
	before := len(s.Requests())
	_, err = c.Contacts.Select(ctx, voitex.SelectContactParams{Phone: "12"})
	var ve *voitex.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "phone", ve.Field)
	assert.Len(t, s.Requests(), before)
	assert.Len(t, s.Contacts(), 1)
}

func TestSandboxNotify(t *testing.T) {
	now := time.Date(2026, 6, 24, 15, 30, 0, 0, time.UTC)
	s, c := sandbox(t, voitextest.WithClock(func() time.Time { return now }))
	ctx := context.Background()

	single, err := c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifySMS, CID: "8459511000", To: "8451234567", Body: "שלום 👋"})
	require.NoError(t, err)
	assert.Equal(t, voitex.StatusSuccess, single.Status)
	assert.True(t, strings.HasPrefix(single.BatchID, "1_S_8451234567_8459511000_2606241530_"), single.BatchID)
	assert.Empty(t, single.GroupID)
	assert.Nil(t, single.Summary.ValidCount)
	assert.Equal(t, "single", single.Summary.Mode)

	var nineteen, twenty []string
	for i := 0; i < 20; i++ {
		n := "845555" + fmt.Sprintf("%04d", 1000+i)
		if i < 19 {
			nineteen = append(nineteen, n)
		}
		twenty = append(twenty, n)
	}
	r, err := c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifySMS, CID: "8459511000", Phones: nineteen, Body: "x"})
	require.NoError(t, err)
	assert.NotEmpty(t, r.BatchID, "1-19 numbers are sent individually")
	assert.Equal(t, "single", r.Summary.Route)
	r, err = c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifySMS, CID: "8459511000", Phones: twenty, Body: "x"})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(r.GroupID, "G2606241530"), r.GroupID)
	assert.Equal(t, "group", r.Summary.Route)
	require.NotNil(t, r.Summary.ValidCount)
	assert.Equal(t, 20, *r.Summary.ValidCount)

	// The threshold counts the numbers given: 20 with one invalid is still
	// a group broadcast, which then reports the invalid one.
	twenty[19] = "5551234567"
	r, err = c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifySMS, CID: "8459511000", Phones: twenty, Body: "x"})
	require.NoError(t, err)
	assert.NotEmpty(t, r.GroupID)
	assert.Empty(t, r.BatchID)
	assert.True(t, r.Partial())
	assert.Equal(t, map[string]string{"5551234567": "unallocated_nanp"}, r.Invalid)

	// Well-formed numbers Voitex does not serve (555, N11 area codes) are
	// its to reject; a malformed one is refused before anything is sent.
	partial, err := c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifySMS, CID: "8459511000", Phones: []string{"8451234567", "2115550123", "5551234567"}, Body: "x"})
	require.NoError(t, err)
	assert.True(t, partial.Partial())
	assert.Equal(t, map[string]string{"2115550123": "unallocated_nanp", "5551234567": "unallocated_nanp"}, partial.Invalid)
	assert.Equal(t, 2, partial.Summary.InvalidCount)

	_, err = c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifySMS, CID: "8459511000", Phones: []string{"2115550123", "5551234567"}, Body: "x"})
	var e *voitex.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "failure", e.Code)
	assert.True(t, strings.HasPrefix(e.RequestID, "req_"))
	assert.Contains(t, e.Messages, "invalid 2115550123: unallocated_nanp")

	sent := len(s.SentNotifications())
	before := len(s.Requests())
	_, err = c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifySMS, CID: "8459511000", Phones: []string{"8451234567", "123", "5551234567"}, Body: "x"})
	var ve *voitex.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "phones", ve.Field)
	assert.Len(t, s.Requests(), before, "nothing sent")
	assert.Len(t, s.SentNotifications(), sent)

	// Labels: a group broadcast to the labelled contacts' phones of the
	// requested types.
	_, err = c.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"2015550101"}, PhoneType: voitex.PhoneMobile, Label: 4})
	require.NoError(t, err)
	_, err = c.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"2015550102"}, Label: 4})
	require.NoError(t, err)
	lab, err := c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifySMS, CID: "8459511000", Labels: []int{4}, PhoneTypes: []voitex.PhoneType{voitex.PhoneMobile}, Body: "sale"})
	require.NoError(t, err)
	assert.NotEmpty(t, lab.GroupID)
	assert.Equal(t, "label", lab.Summary.Mode)
	assert.Equal(t, 1, lab.Summary.RecipientEstimate)
	_, err = c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifySMS, CID: "8459511000", Labels: []int{77}, Body: "x"})
	assert.ErrorIs(t, err, voitex.ErrLabelNotFound)

}

func TestSandboxNotifyScheduleAndCalls(t *testing.T) {
	now := time.Date(2026, 6, 24, 15, 30, 0, 0, time.UTC)
	s, c := sandbox(t, voitextest.WithClock(func() time.Time { return now }), voitextest.WithDoNotCall("8453331111"))
	ctx := context.Background()
	at := now.Add(48 * time.Hour)
	r, err := c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifySMS, CID: "8459511000", Phones: []string{"8451234567", "8453331111"}, DNC: true, Confirm: true,
		Body: "later", ToBeSent: at, Title: "תזכורת", Attachments: []*voitex.File{{Name: "a.png", Reader: strings.NewReader("png")}}})
	require.NoError(t, err)
	assert.True(t, r.Partial())
	assert.Equal(t, map[string]string{"8453331111": "dnc"}, r.Invalid)
	n := s.SentNotifications()
	require.Len(t, n, 1)
	assert.True(t, n[0].Scheduled)
	assert.Equal(t, at, n[0].SendAt)
	assert.Equal(t, "תזכורת", n[0].Title)
	assert.True(t, n[0].Confirm)
	require.Len(t, n[0].Attachments, 1)
	assert.Equal(t, []byte("png"), n[0].Attachments[0].Data)
	assert.Equal(t, []string{"8451234567"}, n[0].Recipients)

	r, err = c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifySMS, CID: "8459511000", To: "8451234567", Body: "x", ToBeSent: now.Add(-time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, []string{"to_be_sent is in the past; sending now"}, r.Warnings)

	_, err = c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifyCall, From: "8459511000", To: "8451234567", CallType: voitex.CallGoto, BranchNumber: "5", RouteNumber: "8459511000", Variables: map[string]string{"order": "1234"}})
	require.NoError(t, err)
	_, err = c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifyCall, CID: "8459511000", To: "8451234567", CallType: voitex.CallStream, Recording: "my_recording_filename"})
	require.NoError(t, err)
	n = s.SentNotifications()
	require.Len(t, n, 4)
	assert.Equal(t, `{"order":"1234"}`, n[2].Variables)
	assert.Equal(t, "8459511000", n[2].CID, "from is accepted as cid")
	assert.Equal(t, "my_recording_filename", n[3].Recording)
}

func TestSandboxDeliverySafety(t *testing.T) {
	ctx := context.Background()
	t.Run("a dropped SMS is not repeated", func(t *testing.T) {
		s, c := sandbox(t)
		s.DropNext(1)
		_, err := c.SMS.Send(ctx, voitex.SMSParams{From: "8459511000", To: "8451234567", Body: "once"})
		assert.ErrorIs(t, err, voitex.ErrMaybeDelivered)
		assert.Equal(t, 1, s.Count(http.MethodPost, "/send/"))
	})
	for name, send := range map[string]func(*voitex.Client) error{
		"notify": func(c *voitex.Client) error {
			_, err := c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifySMS, CID: "8459511000", To: "8451234567", Body: "x"})
			return err
		},
		"upload": func(c *voitex.Client) error {
			_, err := c.Recordings.Upload(ctx, voitex.UploadParams{AlbumNumber: 1, File: &voitex.File{Name: "a.wav", Reader: strings.NewReader("RIFF")}})
			return err
		},
		"call": func(c *voitex.Client) error {
			_, err := c.Calls.Send(ctx, voitex.CallParams{CID: "8459511000", To: "8455009999", Type: voitex.CallGoto, RouteNumber: "8459511000", BranchNumber: "1"})
			return err
		},
		"contact create": func(c *voitex.Client) error {
			_, err := c.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"7325550184"}})
			return err
		},
	} {
		t.Run("a dropped "+name+" is not repeated", func(t *testing.T) {
			s, c := sandbox(t)
			s.DropNext(1)
			assert.ErrorIs(t, send(c), voitex.ErrMaybeDelivered)
			assert.Len(t, s.Requests(), 1)
		})
	}
	t.Run("a dropped select is retried", func(t *testing.T) {
		s, c := sandbox(t)
		_, err := c.Contacts.Create(ctx, voitex.CreateContactParams{Phones: []string{"7325550184"}, FirstName: "Ann"})
		require.NoError(t, err)
		s.DropNext(2)
		got, err := c.Contacts.Select(ctx, voitex.SelectContactParams{Phone: "7325550184"})
		require.NoError(t, err)
		assert.Equal(t, "Ann", got.FirstName)
		assert.Equal(t, 1+3, s.Count(http.MethodPost, "/"), "one create, three selects")
	})
	t.Run("a 429 refusal is retried even for a send", func(t *testing.T) {
		s, c := sandbox(t)
		s.FailNext(1, http.StatusTooManyRequests, `{"status":"error","errors":["Too many requests"]}`)
		_, err := c.SMS.Send(ctx, voitex.SMSParams{From: "8459511000", To: "8451234567", Body: "x"})
		require.NoError(t, err)
		assert.Len(t, s.SentSMS(), 1)
	})
	t.Run("a 500 on notify is not retried", func(t *testing.T) {
		s, c := sandbox(t)
		s.FailNext(1, http.StatusInternalServerError, `{"status":"error","errors":["internal"]}`)
		_, err := c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifySMS, CID: "8459511000", To: "8451234567", Body: "x"})
		var e *voitex.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, 500, e.StatusCode)
		assert.Len(t, s.Requests(), 1)
	})
	t.Run("a slow answer ends with the context", func(t *testing.T) {
		s, c := sandbox(t)
		s.DelayNext(1, 2*time.Second)
		ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		_, err := c.Notify.Send(ctx, voitex.NotifyParams{Type: voitex.NotifySMS, CID: "8459511000", To: "8451234567", Body: "x"})
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.ErrorIs(t, err, voitex.ErrMaybeDelivered)
	})
}

func TestSandboxAuth(t *testing.T) {
	s := voitextest.NewServer(voitextest.WithCredentials("key-one-123456", "key-two-654321"))
	defer s.Close()
	c, err := voitex.New("wrong-key-000000", voitex.WithBaseURL(s.URL))
	require.NoError(t, err)
	_, err = c.SMS.Send(context.Background(), voitex.SMSParams{From: "8459511000", To: "8451234567", Body: "x"})
	assert.ErrorIs(t, err, voitex.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "wrong-key")
	require.NoError(t, c.SetAuthKey("key-two-654321"))
	_, err = c.SMS.Send(context.Background(), voitex.SMSParams{From: "8459511000", To: "8451234567", Body: "x"})
	require.NoError(t, err)

	// The sandbox accepts the auth_key spelling of one sample, as Voitex
	// evidently does.
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/upload/", strings.NewReader("album_number+=1&type=tts&text=hi&sort_number=15"))
	req.Header.Set("auth_key", "key-one-123456")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	r, ok := s.Recording(1, 15)
	require.True(t, ok, "the sample's \"album_number \" key with a trailing space is read too")
	assert.Equal(t, "hi", r.Text)
}
