package switchboard_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard"
	"github.com/switchboard-go/switchboard/chattu"
	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/voxio"
)

// The Voxio relay sample payload from the vendor's documentation.
const inboundVoxioSample = `{
"event": "incoming_message",
"channel": "whatsapp",
"user_id": 11,
"whatsapp_account_id": 24,
"conversation": {"id": 101, "status": "open"},
"contact": {"id": 55, "name": "Customer Name", "mobile": "628123456789"},
"message": {"id": 9001, "type": "text", "text": "Hello", "direction": "inbound", "provider_message_id": "wamid.xxx"},
"sent_at": "2026-06-16T14:30:00+07:00"
}`

func inboundVoxioEvent(t *testing.T, body string) voxio.Event {
	t.Helper()
	ev, err := voxio.ParseEvent([]byte(body), "")
	require.NoError(t, err)
	return ev
}

// inboundPhone parses a number as the vendors write it in their payloads
// (the digits alone), the form the converters read.
func inboundPhone(t *testing.T, s string) switchboard.Phone {
	t.Helper()
	p, err := switchboard.ParseDigits(s)
	require.NoError(t, err)
	return p
}

func TestVoxioInboundDocsSample(t *testing.T) {
	ev := inboundVoxioEvent(t, inboundVoxioSample)
	in, ok := switchboard.VoxioInbound(ev.(*voxio.IncomingMessage))
	require.True(t, ok)
	assert.Equal(t, switchboard.Voxio, in.Provider)
	assert.Equal(t, "+628123456789", in.From.E164())
	assert.Equal(t, "62", in.From.CountryCode())
	assert.Equal(t, "628123456789", in.Sender)
	assert.Equal(t, "Customer Name", in.SenderName)
	assert.True(t, in.To.IsZero(), "the relay names no receiving number")
	assert.Equal(t, "24", in.Account)
	assert.Equal(t, "Hello", in.Text)
	assert.Nil(t, in.Media)
	assert.Equal(t, "9001", in.ID)
	assert.Equal(t, "wamid.xxx", in.ProviderMessageID)
	assert.True(t, in.Time.Equal(time.Date(2026, 6, 16, 7, 30, 0, 0, time.UTC)))
	assert.JSONEq(t, inboundVoxioSample, string(in.Raw))
	assert.Empty(t, in.Cursor)
}

func TestVoxioInboundMediaAndOddNumbers(t *testing.T) {
	ev := inboundVoxioEvent(t, `{"event":"incoming_message","whatsapp_account_id":"24",
		"contact":{"name":"דנה","mobile":"+972 50-123-4567"},
		"message":{"id":"77","type":"IMAGE","text":"הקבלה 🧾","media_url":"https://cdn.example/r.jpg","mime_type":"image/jpeg","file_name":"r.jpg","created_at":"2026-06-16T07:31:00Z"},
		"sent_at":"2026-06-16T07:32:00Z"}`)
	in, ok := switchboard.VoxioInbound(ev.(*voxio.IncomingMessage))
	require.True(t, ok)
	assert.Equal(t, "972501234567", in.From.Digits())
	assert.Equal(t, "דנה", in.SenderName)
	assert.Equal(t, "הקבלה 🧾", in.Text)
	assert.Equal(t, &switchboard.InboundMedia{Type: "image", URL: "https://cdn.example/r.jpg", ContentType: "image/jpeg", Filename: "r.jpg"}, in.Media)
	assert.Equal(t, "77", in.ID)
	assert.True(t, in.Time.Equal(time.Date(2026, 6, 16, 7, 31, 0, 0, time.UTC)), "the message's own time first")

	// A contact whose number does not parse: the message still arrives,
	// with the sender as Voxio wrote it.
	ev = inboundVoxioEvent(t, `{"event":"incoming_message","contact":{"mobile":"not-a-number"},"message":{"type":"text","text":"hi"}}`)
	in, ok = switchboard.VoxioInbound(ev.(*voxio.IncomingMessage))
	require.True(t, ok)
	assert.True(t, in.From.IsZero())
	assert.Equal(t, "not-a-number", in.Sender)
	assert.Equal(t, "hi", in.Text)
	assert.Empty(t, in.ID)
	assert.Empty(t, in.Account)

	// An API-style contact with the code apart.
	ev = inboundVoxioEvent(t, `{"event":"incoming_message","contact":{"mobile_code":"1","mobile":"8451239876"},"message":{"text":"yo"}}`)
	in, _ = switchboard.VoxioInbound(ev.(*voxio.IncomingMessage))
	assert.Equal(t, "+18451239876", in.From.E164())
}

func TestVoxioStatus(t *testing.T) {
	for _, tc := range []struct {
		body   string
		want   switchboard.DeliveryStatus
		vendor string
	}{
		{`{"event":"message_status","message":{"id":5,"status":1}}`, switchboard.DeliverySent, "1"},
		{`{"event":"message_status","message":{"id":5,"status":2}}`, switchboard.DeliveryDelivered, "2"},
		{`{"event":"message_status","message":{"id":5},"status":"read"}`, switchboard.DeliveryRead, "read"},
		{`{"event":"message_status","message":{"id":5,"status":9,"reason":"blocked"}}`, switchboard.DeliveryFailed, "9"},
		{`{"event":"message_status","message":{"id":5,"status":0}}`, switchboard.DeliveryQueued, "0"},
		{`{"event":"message_status","message":{"id":5,"status":7}}`, switchboard.DeliveryUnknown, "7"},
		{`{"event":"message_status","message":{"id":5,"status":"bounced"}}`, switchboard.DeliveryUnknown, "bounced"},
	} {
		ev := inboundVoxioEvent(t, tc.body)
		st, ok := switchboard.VoxioStatus(ev.(*voxio.MessageStatusEvent))
		require.True(t, ok, tc.body)
		assert.Equal(t, switchboard.Voxio, st.Provider)
		assert.Equal(t, "5", st.MessageID, tc.body)
		assert.Equal(t, tc.want, st.Status, tc.body)
		assert.Equal(t, tc.vendor, st.VendorStatus, tc.body)
		assert.Equal(t, tc.body, string(st.Raw))
		if tc.want == switchboard.DeliveryFailed {
			assert.Equal(t, "blocked", st.Reason)
		}
	}
	ev := inboundVoxioEvent(t, `{"event":"message_status","whatsapp_account_id":24,"contact":{"mobile":"628123456789"},
		"message":{"id":12,"status":3,"provider_message_id":"wamid.1"},"sent_at":"2026-06-16T07:30:00Z"}`)
	st, _ := switchboard.VoxioStatus(ev.(*voxio.MessageStatusEvent))
	assert.Equal(t, "+628123456789", st.To.E164())
	assert.Equal(t, "628123456789", st.Recipient)
	assert.Equal(t, "24", st.Account)
	assert.Equal(t, "wamid.1", st.ProviderMessageID)
	assert.True(t, st.Status.Final())
	assert.True(t, st.Time.Equal(time.Date(2026, 6, 16, 7, 30, 0, 0, time.UTC)))
}

func inboundChattuEvent(t *testing.T, body string) *chattu.WebhookEvent {
	t.Helper()
	ev, err := chattu.ParseWebhook([]byte(body))
	require.NoError(t, err)
	return ev
}

func TestChattuInboundAndStatus(t *testing.T) {
	body := `{"event":"message_received","data":{"from":"972541112222@c.us","to":"client-id","body":"שלום! 👋","message":"שלום! 👋","timestamp":1699123456789,"type":"received_message"}}`
	ev := inboundChattuEvent(t, body)
	in, ok := switchboard.ChattuInbound(ev)
	require.True(t, ok)
	assert.Equal(t, switchboard.Chattu, in.Provider)
	assert.Equal(t, "972541112222", in.From.Digits())
	assert.Equal(t, "972541112222@c.us", in.Sender)
	assert.Equal(t, "client-id", in.Account)
	assert.Equal(t, "שלום! 👋", in.Text)
	assert.Empty(t, in.ID, "Chattu's webhook carries no message id")
	assert.True(t, in.Time.Equal(time.UnixMilli(1699123456789)))
	assert.Equal(t, body, string(in.Raw))
	_, ok = switchboard.ChattuStatus(ev)
	assert.False(t, ok, "a customer's message is not a status")

	// Only "message" set, from a group: kept, without a phone.
	ev = inboundChattuEvent(t, `{"event":"message_received","data":{"from":"120363041234567890@g.us","to":"client-id","message":"hi all"}}`)
	in, ok = switchboard.ChattuInbound(ev)
	require.True(t, ok)
	assert.True(t, in.From.IsZero())
	assert.Equal(t, "120363041234567890@g.us", in.Sender)
	assert.Equal(t, "hi all", in.Text)

	// message_sent is the account's own message going out.
	ev = inboundChattuEvent(t, `{"event":"message_sent","data":{"from":"client-id","to":"1234567890","body":"Hello from the API","message":"Hello from the API","timestamp":1699123456789,"type":"sent_message"}}`)
	_, ok = switchboard.ChattuInbound(ev)
	assert.False(t, ok, "message_sent never reaches the message callback")
	st, ok := switchboard.ChattuStatus(ev)
	require.True(t, ok)
	assert.Equal(t, switchboard.DeliverySent, st.Status)
	assert.Equal(t, "1234567890", st.Recipient)
	assert.Equal(t, "1234567890", st.To.Digits())
	assert.Equal(t, "client-id", st.Account)
	assert.Equal(t, "Hello from the API", st.Text)
	assert.Empty(t, st.MessageID)

	ev = inboundChattuEvent(t, `{"event":"call_rejected","data":{"from":"1234567890","to":"client-id","isVideo":false,"timestamp":1699123456789,"type":"call_rejected"}}`)
	_, ok = switchboard.ChattuInbound(ev)
	assert.False(t, ok, "a call is not a message")
	_, ok = switchboard.ChattuStatus(ev)
	assert.False(t, ok)
	ev = inboundChattuEvent(t, `{"event":"something_new","data":{"x":1}}`)
	_, ok = switchboard.ChattuInbound(ev)
	assert.False(t, ok)
}

func TestOurVoiceInboundAndStatus(t *testing.T) {
	var m ourvoice.Message
	require.NoError(t, json.Unmarshal([]byte(`{"id":"7f9e1234-abcd-4ef0-8765-aabbccddeeff","whatsapp_session_id":"a3f1b2c4-1234-4abc-9def-000011112222",
		"provider_message_id":"3EB0ABC","from_number":"972541112222","to_number":["22997000000"],"type":"image","content":"מה זה? 🤔",
		"media_url":"https://cdn.example/p.jpg","status":"delivered","direction":"incoming","created_at":"2024-01-15T10:30:00.000000Z"}`), &m))
	in, ok := switchboard.OurVoiceInbound(&m)
	require.True(t, ok)
	assert.Equal(t, switchboard.OurVoice, in.Provider)
	assert.Equal(t, "972541112222", in.From.Digits())
	assert.Equal(t, "22997000000", in.To.Digits())
	assert.Equal(t, "a3f1b2c4-1234-4abc-9def-000011112222", in.Account)
	assert.Equal(t, "מה זה? 🤔", in.Text)
	assert.Equal(t, &switchboard.InboundMedia{Type: "image", URL: "https://cdn.example/p.jpg"}, in.Media)
	assert.Equal(t, "7f9e1234-abcd-4ef0-8765-aabbccddeeff", in.ID)
	assert.Equal(t, "3EB0ABC", in.ProviderMessageID)
	assert.True(t, in.Time.Equal(time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)))
	assert.Contains(t, string(in.Raw), `"media_url"`)
	_, ok = switchboard.OurVoiceStatus(&m)
	assert.False(t, ok, "an incoming message has no delivery status for us")

	var out ourvoice.Message
	require.NoError(t, json.Unmarshal([]byte(`{"id":"b1","whatsapp_session_id":"s1","from_number":"22997000000","to_number":"22996000000",
		"type":"text","content":"Your code is 1234","status":"failed","reason":"Number not on WhatsApp","direction":"outgoing",
		"sent_at":null,"created_at":"2024-01-15T10:30:00.000000Z","updated_at":"2024-01-15T10:30:05.000000Z"}`), &out))
	_, ok = switchboard.OurVoiceInbound(&out)
	assert.False(t, ok, "our own message is not inbound")
	st, ok := switchboard.OurVoiceStatus(&out)
	require.True(t, ok)
	assert.Equal(t, switchboard.DeliveryFailed, st.Status)
	assert.Equal(t, "failed", st.VendorStatus)
	assert.Equal(t, "Number not on WhatsApp", st.Reason)
	assert.Equal(t, "b1", st.MessageID)
	assert.Equal(t, "22996000000", st.To.Digits())
	assert.True(t, st.Time.Equal(time.Date(2024, 1, 15, 10, 30, 5, 0, time.UTC)))
}

func TestInboundConvertersTakeNil(t *testing.T) {
	_, ok := switchboard.VoxioInbound(nil)
	assert.False(t, ok)
	_, ok = switchboard.VoxioStatus(nil)
	assert.False(t, ok)
	_, ok = switchboard.ChattuInbound(nil)
	assert.False(t, ok)
	_, ok = switchboard.ChattuStatus(nil)
	assert.False(t, ok)
	_, ok = switchboard.OurVoiceInbound(nil)
	assert.False(t, ok)
	_, ok = switchboard.OurVoiceStatus(nil)
	assert.False(t, ok)
	_, ok = switchboard.ChattuInbound(&chattu.WebhookEvent{Type: chattu.EventMessageReceived})
	assert.False(t, ok, "a hand-built event without data")
	in, ok := switchboard.VoxioInbound(&voxio.IncomingMessage{})
	assert.True(t, ok)
	assert.True(t, in.From.IsZero())
}

func TestDeliveryStatusWords(t *testing.T) {
	assert.Equal(t, "unknown", switchboard.DeliveryUnknown.String())
	assert.Equal(t, "delivered", switchboard.DeliveryDelivered.String())
	assert.False(t, switchboard.DeliveryDelivered.Final())
	assert.True(t, switchboard.DeliveryFailed.Final())
	for word, want := range map[ourvoice.MessageStatus]switchboard.DeliveryStatus{
		ourvoice.MessageQueued: switchboard.DeliveryQueued, ourvoice.MessageScheduled: switchboard.DeliveryQueued,
		ourvoice.MessageSent: switchboard.DeliverySent, ourvoice.MessageDelivered: switchboard.DeliveryDelivered,
		ourvoice.MessageRead: switchboard.DeliveryRead, ourvoice.MessageFailed: switchboard.DeliveryFailed, "weird": switchboard.DeliveryUnknown,
	} {
		st, _ := switchboard.OurVoiceStatus(&ourvoice.Message{Status: word, Direction: ourvoice.DirectionOutgoing})
		assert.Equal(t, want, st.Status, word)
	}
}

// FuzzInboundConverters feeds arbitrary payloads through each vendor's
// decoder and the converters: nothing may panic.
func FuzzInboundConverters(f *testing.F) {
	f.Add([]byte(inboundVoxioSample))
	f.Add([]byte(`{"event":"message_status","message":{"id":"x","status":{}},"contact":[],"status":null}`))
	f.Add([]byte(`{"event":"message_received","data":{"from":"@c.us","to":null,"body":1}}`))
	f.Add([]byte(`{"event":"message_sent","data":{"from":"a","to":"+","timestamp":"soon"}}`))
	f.Add([]byte(`{"id":"1","direction":"incoming","to_number":[],"from_number":"++","type":"video"}`))
	f.Add([]byte(`{"id":"1","direction":"outgoing","to_number":"x","status":"read","read_at":"bad"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if ev, err := voxio.ParseEvent(body, "incoming_message"); err == nil {
			switch ev := ev.(type) {
			case *voxio.IncomingMessage:
				switchboard.VoxioInbound(ev)
			case *voxio.MessageStatusEvent:
				switchboard.VoxioStatus(ev)
			}
		}
		if ev, err := chattu.ParseWebhook(body); err == nil {
			switchboard.ChattuInbound(ev)
			switchboard.ChattuStatus(ev)
		}
		var m ourvoice.Message
		if json.Unmarshal(body, &m) == nil {
			switchboard.OurVoiceInbound(&m)
			switchboard.OurVoiceStatus(&m)
		}
	})
}
