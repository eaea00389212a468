package switchboard_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard"
	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/chattu/chattutest"
	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
	"github.com/switchboard-go/switchboard/voxio"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

// Paths of the four send endpoints, as the sandboxes log them.
const (
	sendPathVoxio    = "/inbox/send-message"
	sendPathOurVoice = "/v1/whatsapp/messages"
	sendPathChattu   = "/api/send-message"
	sendPathVoitex   = "/send/"
	sendVoitexFrom   = "2125550100"
	sendChattuNumber = "972501234567"
)

// sendKit is the four sandboxes with an adapter on each, in failover order:
// Voxio, Our Voice, Chattu, Voitex SMS.
type sendKit struct {
	vx *voxiotest.Server
	ov *ourvoicetest.Server
	ch *chattutest.Server
	vt *voitextest.Server

	voxio    *switchboard.VoxioSender
	ourvoice *switchboard.OurVoiceSender
	chattu   *switchboard.ChattuSender
	voitex   *switchboard.VoitexSMSSender

	chattuClient *chattu.Client
	chattuID     string
	session      string
}

// newSendKit starts the four sandboxes, closed when the test ends. Every
// client talks through its sandbox's own HTTP client where the sandbox has
// one, so that a closed sandbox refuses the dial instead of failing a
// pooled connection after writing.
func newSendKit(t *testing.T, opts ...switchboard.SenderOption) *sendKit {
	t.Helper()
	k := &sendKit{vx: voxiotest.NewServer(), ov: ourvoicetest.NewServer(), ch: chattutest.NewServer(), vt: voitextest.NewServer()}
	t.Cleanup(k.close)

	vc, err := k.vx.NewClient(voxio.WithHTTPClient(k.vx.Client()))
	require.NoError(t, err)
	k.voxio, err = switchboard.NewVoxioSender(vc, voxiotest.DefaultWhatsAppAccountID, opts...)
	require.NoError(t, err)

	oc, err := k.ov.NewClient()
	require.NoError(t, err)
	k.session, err = k.ov.ReadySession("")
	require.NoError(t, err)
	k.ourvoice, err = switchboard.NewOurVoiceSender(oc, k.session, opts...)
	require.NoError(t, err)

	k.chattuClient, err = k.ch.NewClient()
	require.NoError(t, err)
	k.chattuID, err = k.ch.ReadyClient(sendChattuNumber)
	require.NoError(t, err)
	k.chattu, err = switchboard.NewChattuSender(k.chattuClient, k.chattuID, opts...)
	require.NoError(t, err)

	tc, err := k.vt.NewClient(voitex.WithHTTPClient(k.vt.Client()))
	require.NoError(t, err)
	k.voitex, err = switchboard.NewVoitexSMSSender(tc, sendVoitexFrom, opts...)
	require.NoError(t, err)
	return k
}

// close shuts every sandbox down; closing one twice is harmless.
func (k *sendKit) close() { k.vx.Close(); k.ov.Close(); k.ch.Close(); k.vt.Close() }

// senders returns the adapters in failover order.
func (k *sendKit) senders() []switchboard.Sender {
	return []switchboard.Sender{k.voxio, k.ourvoice, k.chattu, k.voitex}
}

// sent counts the messages each vendor holds as sent through its API.
func (k *sendKit) sent() [4]int {
	api := 0
	for _, m := range k.ch.SentMessages() {
		if m.Source == "api" {
			api++
		}
	}
	return [4]int{len(k.vx.SentMessages()), len(k.ov.SentMessages()), api, len(k.vt.SentSMS())}
}

// sendRequests counts the send requests each sandbox received, faulted ones
// included.
func (k *sendKit) sendRequests() [4]int {
	return [4]int{
		k.vx.Count(http.MethodPost, sendPathVoxio), k.ov.Count(http.MethodPost, sendPathOurVoice),
		k.ch.Count(http.MethodPost, sendPathChattu), k.vt.Count(http.MethodPost, sendPathVoitex),
	}
}

// requests counts every request each sandbox received.
func (k *sendKit) requests() [4]int {
	return [4]int{len(k.vx.Requests()), len(k.ov.Requests()), len(k.ch.Requests()), len(k.vt.Requests())}
}

// sendCtx is a test's context, with a deadline well past any sandbox wait.
func sendCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// sendPhone parses a number the test knows is good.
func sendPhone(t *testing.T, s string) switchboard.Phone {
	t.Helper()
	p, err := switchboard.ParsePhone(s)
	require.NoError(t, err)
	return p
}

// sendMsg is the message most tests send: a North American number, which
// all four vendors reach.
func sendMsg(t *testing.T, text string) switchboard.Message {
	return switchboard.Message{To: sendPhone(t, "+1 (212) 555-0143"), Text: text}
}

func TestSendersSendThroughEachVendor(t *testing.T) {
	k := newSendKit(t)
	ctx := sendCtx(t)
	m := sendMsg(t, "שלום 👋 hello")
	before := time.Now().Add(-time.Second)

	receipts := map[switchboard.Provider]*switchboard.Receipt{}
	for _, s := range k.senders() {
		r, err := s.Send(ctx, m)
		require.NoError(t, err, s.Provider())
		require.NotNil(t, r)
		assert.Equal(t, s.Provider(), r.Provider)
		assert.NotEmpty(t, r.ID, s.Provider())
		assert.True(t, r.Time.After(before), "%s time %v", s.Provider(), r.Time)
		assert.NotEmpty(t, r.Raw, s.Provider())
		assert.Nil(t, r.Trail)
		receipts[r.Provider] = r
	}
	assert.Equal(t, [4]int{1, 1, 1, 1}, k.sent())
	assert.Equal(t, [4]int{1, 1, 1, 1}, k.sendRequests())

	vm := k.vx.SentMessages()[0]
	assert.Equal(t, m.Text, vm.Text)
	assert.Equal(t, "1", vm.Fields.Get("mobile_code"))
	assert.Equal(t, "2125550143", vm.Fields.Get("mobile"))
	assert.Equal(t, strconv.Itoa(voxiotest.DefaultWhatsAppAccountID), vm.Fields.Get("whatsapp_account_id"))
	assert.Equal(t, strconv.FormatInt(vm.ID, 10), receipts[switchboard.Voxio].ID)
	assert.IsType(t, &voxio.SendResult{}, receipts[switchboard.Voxio].Result)

	om := k.ov.SentMessages()[0]
	assert.Equal(t, m.Text, om.Content)
	assert.Equal(t, "12125550143", om.To)
	assert.Equal(t, k.session, om.SessionID)
	assert.Equal(t, om.ID, receipts[switchboard.OurVoice].ID)
	assert.IsType(t, &ourvoice.SendResult{}, receipts[switchboard.OurVoice].Result)

	cm := k.ch.SentMessages()[0]
	assert.Equal(t, m.Text, cm.Message)
	assert.Equal(t, "12125550143", cm.Recipient)
	assert.Equal(t, k.chattuID, cm.ClientID)
	assert.IsType(t, &chattu.Result{}, receipts[switchboard.Chattu].Result)
	chat, err := k.chattuClient.Chats.Messages(ctx, k.chattuID, "12125550143@c.us", nil)
	require.NoError(t, err)
	require.Len(t, chat.Messages, 1)
	assert.Equal(t, chat.Messages[0].ID, receipts[switchboard.Chattu].ID, "the WhatsApp id Chattu answered")

	sms := k.vt.SentSMS()[0]
	assert.Equal(t, m.Text, sms.Body)
	assert.Equal(t, "2125550143", sms.To)
	assert.Equal(t, sendVoitexFrom, sms.From)
	assert.Equal(t, sms.ReferenceID, receipts[switchboard.Voitex].ID)
	assert.IsType(t, &voitex.SMS{}, receipts[switchboard.Voitex].Result)
}

// TestSendersPhoneConversions sends to numbers with 1-, 2- and 3-digit
// country codes and checks what each vendor received.
func TestSendersPhoneConversions(t *testing.T) {
	tests := []struct {
		in             string
		code, national string
		digits         string
		nanp           string // "" when Voitex cannot reach it
	}{
		{"+1 (845) 123-9876", "1", "8451239876", "18451239876", "8451239876"},
		{"+972 50-123-4567", "972", "501234567", "972501234567", ""},
		{"0044 20 7946 0958", "44", "2079460958", "442079460958", ""},
		{"+886 2 1234 5678", "886", "212345678", "886212345678", ""},
		{"+229 97 00 00 01", "229", "97000001", "22997000001", ""},
		{"79161234567@c.us", "7", "9161234567", "79161234567", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			k := newSendKit(t)
			ctx := sendCtx(t)
			m := switchboard.Message{To: sendPhone(t, tt.in), Text: "hi"}

			_, err := k.voxio.Send(ctx, m)
			require.NoError(t, err)
			vm := k.vx.SentMessages()[0]
			assert.Equal(t, tt.code, vm.Fields.Get("mobile_code"))
			assert.Equal(t, tt.national, vm.Fields.Get("mobile"))

			_, err = k.chattu.Send(ctx, m)
			require.NoError(t, err)
			assert.Equal(t, tt.digits, k.ch.SentMessages()[0].Recipient)

			_, err = k.ourvoice.Send(ctx, m)
			require.NoError(t, err)
			assert.Equal(t, tt.digits, k.ov.SentMessages()[0].To)

			_, err = k.voitex.Send(ctx, m)
			if tt.nanp == "" {
				var verr *switchboard.ValidationError
				require.ErrorAs(t, err, &verr)
				assert.Equal(t, "voitex", verr.Vendor)
				assert.ErrorIs(t, err, switchboard.ErrValidation)
				assert.Empty(t, k.vt.Requests(), "nothing reaches Voitex")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.nanp, k.vt.SentSMS()[0].To)
		})
	}
}

// TestSendersRefuseBadNumbers: a number a vendor cannot take is a
// *ValidationError, and the sandbox sees no request at all.
func TestSendersRefuseBadNumbers(t *testing.T) {
	k := newSendKit(t)
	ctx := sendCtx(t)
	for _, s := range k.senders() {
		_, err := s.Send(ctx, switchboard.Message{Text: "no recipient"})
		var verr *switchboard.ValidationError
		require.ErrorAs(t, err, &verr, s.Provider())
		assert.Equal(t, "to", verr.Field)
		assert.Equal(t, string(s.Provider()), verr.Vendor)
		assert.Equal(t, switchboard.OutcomeNotSent, outcomeOf(err))
	}
	// Numbers that parse but that Voitex cannot dial: an area code starting
	// with 0 or 1, a national number one digit short, another country.
	for _, in := range []string{"+1 012 345 6789", "+1 112 345 6789", "+1 212 555 014", "+52 55 1234 5678"} {
		_, err := k.voitex.Send(ctx, switchboard.Message{To: sendPhone(t, in), Text: "hi"})
		var verr *switchboard.ValidationError
		require.ErrorAs(t, err, &verr, in)
		assert.Equal(t, "voitex", verr.Vendor, in)
	}
	assert.Equal(t, [4]int{0, 0, 0, 0}, k.requests(), "no request reached any sandbox")
}

func TestSendersRefuseEmptyMessages(t *testing.T) {
	k := newSendKit(t)
	ctx := sendCtx(t)
	to := sendPhone(t, "+12125550143")
	for _, m := range []switchboard.Message{
		{To: to},
		{To: to, Text: "  \n"},
		{To: to, Attachment: &switchboard.Attachment{}},
		{To: to, Attachment: &switchboard.Attachment{Kind: "sticker", URL: "https://example.com/a.webp"}},
	} {
		for _, s := range k.senders() {
			_, err := s.Send(ctx, m)
			assert.ErrorIs(t, err, switchboard.ErrValidation, "%s %+v", s.Provider(), m)
		}
	}
	assert.Equal(t, [4]int{0, 0, 0, 0}, k.requests())
}

// TestSendersAttachments: each vendor gets media the way it takes it, and
// refuses before sending what it cannot take.
func TestSendersAttachments(t *testing.T) {
	k := newSendKit(t)
	ctx := sendCtx(t)
	to := sendPhone(t, "+12125550143")
	png := []byte("\x89PNG\r\n\x1a\n fake image")
	byURL := &switchboard.Attachment{URL: "https://cdn.example.com/menu.png?v=2"}
	byFile := &switchboard.Attachment{File: &switchboard.File{Name: "menu.png", Reader: bytes.NewReader(png)}}
	both := &switchboard.Attachment{Kind: switchboard.ImageAttachment, URL: "https://cdn.example.com/menu.png",
		File: &switchboard.File{Name: "menu.png", Reader: bytes.NewReader(png)}}

	// Voxio uploads a file and refuses a URL.
	_, err := k.voxio.Send(ctx, switchboard.Message{To: to, Text: "menu", Attachment: byURL})
	assert.ErrorIs(t, err, switchboard.ErrValidation)
	_, err = k.voxio.Send(ctx, switchboard.Message{To: to, Text: "menu", Attachment: byFile})
	require.NoError(t, err)
	_, err = k.voxio.Send(ctx, switchboard.Message{To: to, Attachment: &switchboard.Attachment{Kind: switchboard.DocumentAttachment,
		File: &switchboard.File{Name: "terms.pdf", Reader: bytes.NewReader([]byte("%PDF-1.4"))}}})
	require.NoError(t, err)
	vm := k.vx.SentMessages()
	require.Len(t, vm, 2)
	assert.Equal(t, "image", vm[0].Type)
	require.Len(t, vm[0].Files, 1)
	assert.Equal(t, "image", vm[0].Files[0].Field)
	assert.Equal(t, int64(len(png)), vm[0].Files[0].Size)
	assert.Equal(t, "menu", vm[0].Text)
	assert.Equal(t, "document", vm[1].Files[0].Field)

	// Chattu and Our Voice take a URL and refuse a file.
	for _, s := range []switchboard.Sender{k.chattu, k.ourvoice} {
		_, err = s.Send(ctx, switchboard.Message{To: to, Text: "menu", Attachment: byFile})
		assert.ErrorIs(t, err, switchboard.ErrValidation, s.Provider())
		_, err = s.Send(ctx, switchboard.Message{To: to, Text: "menu", Attachment: byURL})
		require.NoError(t, err, s.Provider())
		_, err = s.Send(ctx, switchboard.Message{To: to, Attachment: both})
		require.NoError(t, err, s.Provider())
	}
	cm := k.ch.SentMessages()
	require.Len(t, cm, 2)
	assert.Equal(t, byURL.URL, cm[0].MediaURL)
	assert.Equal(t, "menu", cm[0].Message)
	om := k.ov.SentMessages()
	require.Len(t, om, 2)
	assert.Equal(t, ourvoice.TypeImage, om[0].Type)
	assert.Equal(t, byURL.URL, om[0].MediaURL)
	assert.Equal(t, "menu", om[0].Content)

	// A file without content is refused, not sent and not a panic.
	_, err = k.voxio.Send(ctx, switchboard.Message{To: to, Attachment: &switchboard.Attachment{File: &switchboard.File{Name: "x.png"}}})
	assert.ErrorIs(t, err, switchboard.ErrValidation)
	_, err = k.chattu.Send(ctx, switchboard.Message{To: to, Attachment: &switchboard.Attachment{URL: "ftp://example.com/x.png"}})
	assert.ErrorIs(t, err, switchboard.ErrValidation)
	assert.Len(t, k.vx.SentMessages(), 2)

	// Voitex SMS is text only.
	_, err = k.voitex.Send(ctx, switchboard.Message{To: to, Text: "menu", Attachment: byURL})
	assert.ErrorIs(t, err, switchboard.ErrValidation)
	assert.Zero(t, len(k.vt.Requests()))
}

// TestSendersPassErrorsThrough: the vendor's own error comes back unchanged,
// so its sentinels and types match.
func TestSendersPassErrorsThrough(t *testing.T) {
	k := newSendKit(t)
	ctx := sendCtx(t)
	m := sendMsg(t, "hi")

	require.NoError(t, k.vx.FailNextError(1, voxiotest.CodeInsufficientBalance))
	_, err := k.voxio.Send(ctx, m)
	assert.ErrorIs(t, err, voxio.ErrInsufficientBalance)
	var vxErr *voxio.Error
	require.ErrorAs(t, err, &vxErr)
	assert.Equal(t, voxio.RemarkInsufficientBalance, vxErr.Code)

	require.NoError(t, k.vx.FailNextError(1, voxiotest.CodeException))
	_, err = k.voxio.Send(ctx, m)
	assert.ErrorIs(t, err, switchboard.ErrMaybeDelivered)

	require.NoError(t, k.ch.FailNextError(1, chattu.CodePlanLimitExceeded))
	_, err = k.chattu.Send(ctx, m)
	assert.ErrorIs(t, err, chattu.ErrPlanLimitExceeded)
	assert.NotErrorIs(t, err, switchboard.ErrUnauthorized)

	require.NoError(t, k.ov.FailNextError(1, ourvoicetest.CodeUnauthenticated))
	_, err = k.ourvoice.Send(ctx, m)
	assert.ErrorIs(t, err, switchboard.ErrUnauthorized)

	k.ov.DropResponseNext(1)
	_, err = k.ourvoice.Send(ctx, m)
	assert.ErrorIs(t, err, switchboard.ErrMaybeDelivered)
	var rerr *ourvoice.RequestError
	require.ErrorAs(t, err, &rerr)
	assert.True(t, rerr.MaybeDelivered)

	require.NoError(t, k.vt.FailNextError(1, voitex.CodeUnauthorized))
	_, err = k.voitex.Send(ctx, m)
	assert.ErrorIs(t, err, switchboard.ErrUnauthorized)
	require.NoError(t, k.vt.FailNextError(1, "server_error"))
	_, err = k.voitex.Send(ctx, m)
	assert.ErrorIs(t, err, switchboard.ErrMaybeDelivered)
	assert.NotContains(t, err.Error(), voitextest.DefaultAuthKey)
}

func TestNewSendersRefuseBadArguments(t *testing.T) {
	k := newSendKit(t)
	vc, err := k.vx.NewClient()
	require.NoError(t, err)
	cc, err := k.ch.NewClient()
	require.NoError(t, err)
	oc, err := k.ov.NewClient()
	require.NoError(t, err)
	tc, err := k.vt.NewClient()
	require.NoError(t, err)

	for name, err := range map[string]error{
		"voxio nil client":       second(switchboard.NewVoxioSender(nil, 1)),
		"voxio negative account": second(switchboard.NewVoxioSender(vc, -1)),
		"chattu nil client":      second(switchboard.NewChattuSender(nil, "shop")),
		"chattu empty id":        second(switchboard.NewChattuSender(cc, " ")),
		"ourvoice nil client":    second(switchboard.NewOurVoiceSender(nil, "s")),
		"ourvoice empty session": second(switchboard.NewOurVoiceSender(oc, "")),
		"voitex nil client":      second(switchboard.NewVoitexSMSSender(nil, sendVoitexFrom)),
		"voitex bad from":        second(switchboard.NewVoitexSMSSender(tc, "+972501234567")),
		"negative lookback":      second(switchboard.NewChattuSender(cc, "shop", switchboard.WithResolveLookback(-time.Second))),
	} {
		var verr *switchboard.ValidationError
		assert.ErrorAs(t, err, &verr, name)
	}
	s, err := switchboard.NewVoitexSMSSender(tc, "+1 (212) 555-0100", nil)
	require.NoError(t, err)
	assert.Equal(t, "voitex sms sender (from 2125550100)", s.String())

	// Zero values and nil pointers refuse instead of panicking.
	ctx := sendCtx(t)
	m := sendMsg(t, "hi")
	var nilVoxio *switchboard.VoxioSender
	for _, s := range []switchboard.Sender{&switchboard.VoxioSender{}, nilVoxio, &switchboard.ChattuSender{},
		&switchboard.OurVoiceSender{}, &switchboard.VoitexSMSSender{}} {
		_, err := s.Send(ctx, m)
		assert.ErrorIs(t, err, switchboard.ErrValidation, "%T", s)
		_, err = switchboard.Resolve(ctx, s, m, time.Now())
		assert.ErrorIs(t, err, switchboard.ErrValidation, "%T", s)
	}
	//lint:ignore SA1012 a nil context must be refused, not panic
	_, err = k.chattu.Send(nil, m)
	assert.ErrorIs(t, err, switchboard.ErrValidation)
	f, err := switchboard.NewFailover(k.senders())
	require.NoError(t, err)
	//lint:ignore SA1012 a nil context must be refused, not panic
	_, err = f.Send(nil, m)
	assert.ErrorIs(t, err, switchboard.ErrValidation)
	assert.Equal(t, [4]int{0, 0, 0, 0}, k.requests())
}

// second returns the error of a constructor.
func second[T any](_ T, err error) error { return err }

// outcomeOf is Classify's outcome alone.
func outcomeOf(err error) switchboard.Outcome {
	o, _ := switchboard.Classify(err)
	return o
}

// TestSenderStrings: printing an adapter names it, never a credential.
func TestSenderStrings(t *testing.T) {
	k := newSendKit(t)
	for _, s := range []interface{ String() string }{k.voxio, k.ourvoice, k.chattu, k.voitex} {
		str := s.String()
		for _, secret := range []string{voxiotest.DefaultClientSecret, ourvoicetest.DefaultToken, chattutest.DefaultAPIKey, voitextest.DefaultAuthKey} {
			assert.NotContains(t, str, secret)
		}
	}
	assert.Equal(t, "voxio sender (account 24)", k.voxio.String())
	assert.Equal(t, "chattu sender (client "+k.chattuID+")", k.chattu.String())
	assert.True(t, errors.Is(second(k.voxio.Send(sendCtx(t), switchboard.Message{})), switchboard.ErrValidation))
}

// TestAttachmentKinds: the kind comes from the file name or URL unless set,
// and reaches Our Voice as its message type.
func TestAttachmentKinds(t *testing.T) {
	k := newSendKit(t)
	ctx := sendCtx(t)
	to := sendPhone(t, "+12125550143")
	tests := []struct {
		a    switchboard.Attachment
		want ourvoice.MessageType
	}{
		{switchboard.Attachment{URL: "https://cdn.example.com/PHOTO.JPG?size=large#top"}, ourvoice.TypeImage},
		{switchboard.Attachment{URL: "https://cdn.example.com/clip.mp4"}, ourvoice.TypeVideo},
		{switchboard.Attachment{URL: "https://cdn.example.com/note.ogg"}, ourvoice.TypeAudio},
		{switchboard.Attachment{URL: "https://cdn.example.com/terms.pdf"}, ourvoice.TypeDocument},
		{switchboard.Attachment{URL: "https://cdn.example.com/download"}, ourvoice.TypeDocument},
		{switchboard.Attachment{URL: "https://cdn.example.com/x.pdf", File: &switchboard.File{Name: "x.mp3"}}, ourvoice.TypeAudio},
		{switchboard.Attachment{Kind: switchboard.VideoAttachment, URL: "https://cdn.example.com/x.bin"}, ourvoice.TypeVideo},
	}
	for i, tt := range tests {
		a := tt.a
		_, err := k.ourvoice.Send(ctx, switchboard.Message{To: to, Text: "caption", Attachment: &a})
		require.NoError(t, err, a.URL)
		got := k.ov.SentMessages()[i]
		assert.Equal(t, tt.want, got.Type, a.URL)
		assert.Equal(t, a.URL, got.MediaURL)
	}
}

// TestChattuSendMessageIDForms: Chattu does not document its send answer;
// the WhatsApp id comes as a string, a number, or WhatsApp Web's id object
// ({"_serialized": ...}), with the loose forms every Chattu answer may use.
func TestChattuSendMessageIDForms(t *testing.T) {
	for _, tc := range []struct{ answer, want string }{
		{`{"success":true,"messageId":{"fromMe":true,"remote":"12125550143@c.us","id":"3EB0C767","_serialized":"true_12125550143@c.us_3EB0C767"}}`, "true_12125550143@c.us_3EB0C767"},
		{`{"success":true,"messageId":" 3EB0C767 "}`, "3EB0C767"},
		{`{"success":true,"messageId":12345}`, "12345"},
		{`{"success":true,"messageId":"null","id":"3EB0AAAA"}`, "3EB0AAAA"},
		{`{"success":true,"id":{"_serialized":"true_x_3EB0BBBB"}}`, "true_x_3EB0BBBB"},
		{`{"success":true,"messageId":{"id":"no serialized"}}`, ""},
		{`{"success":true, "messageId ":"3EB0CCCC"}`, "3EB0CCCC"},
		{`{"success":true}`, ""},
	} {
		t.Run(tc.answer, func(t *testing.T) {
			k := newSendKit(t)
			c, err := k.ch.NewClient(chattu.WithHTTPClient(rewriteClient(nil, sendPathChattu, func([]byte) []byte { return []byte(tc.answer) })))
			require.NoError(t, err)
			s, err := switchboard.NewChattuSender(c, k.chattuID)
			require.NoError(t, err)
			r, err := s.Send(sendCtx(t), sendMsg(t, "hi"))
			require.NoError(t, err)
			assert.Equal(t, tc.want, r.ID)
		})
	}
}
