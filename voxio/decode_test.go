package voxio

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// TestAnswerParsedOnce: the Failure hook leaves the envelope it parsed in
// resp.Envelope and the result decoder reads it from there, so an answer
// is parsed once (the decoder would fail on the body alone here).
func TestAnswerParsedOnce(t *testing.T) {
	body := []byte(`{"remark":"success","status":"success","message":["Message sent successfully"],"data":{"conversation_id":123,"message":{"id":456,"status":1}}}`)
	resp := &transport.Response{StatusCode: 200, Body: body}
	require.Nil(t, failure(resp))
	env, ok := resp.Envelope.(*envelope)
	require.True(t, ok, "the hook hands its envelope on")
	assert.Equal(t, "success", env.Remark)

	resp.Body = []byte("not JSON any more")
	res, err := decodeSendResult(resp)
	require.NoError(t, err)
	assert.Equal(t, int64(123), res.ConversationID)
	require.NotNil(t, res.Message)
	assert.Equal(t, int64(456), res.Message.ID)
	assert.Equal(t, MessageSent, res.Message.Status)
	assert.Equal(t, []string{"Message sent successfully"}, res.Messages)

	// Without the hook (a decoder called on its own) the body is parsed.
	res, err = decodeSendResult(&transport.Response{StatusCode: 200, Body: body})
	require.NoError(t, err)
	assert.Equal(t, int64(456), res.Message.ID)
	_, err = decodeSendResult(&transport.Response{StatusCode: 200, Body: []byte("<html>")})
	assert.Error(t, err)
}

// TestFailureEnvelopeIsNotHandedOn: a reported failure becomes the *Error
// and leaves nothing for a decoder; a body that is not Voxio's envelope is
// left to the transport (non-2xx) or the decoder (2xx).
func TestFailureEnvelopeIsNotHandedOn(t *testing.T) {
	resp := &transport.Response{StatusCode: 200, Body: []byte(`{"remark":"not_found","status":"error","message":"Contact not found"}`)}
	e := failure(resp)
	require.NotNil(t, e)
	assert.Equal(t, "not_found", e.Code)
	assert.Equal(t, []string{"Contact not found"}, e.Messages)
	assert.True(t, errors.Is(e, transport.ErrNotFound))
	assert.Nil(t, resp.Envelope)

	for _, status := range []int{200, 502} {
		resp = &transport.Response{StatusCode: status, Body: []byte("<html>Bad Gateway</html>")}
		assert.Nil(t, failure(resp), "HTTP %d", status)
		assert.Nil(t, resp.Envelope)
	}
}

// TestLooseFieldsGoZero: under the loose-JSON policy a field in an
// unexpected form is left zero and the rest of the answer is read.
func TestLooseFieldsGoZero(t *testing.T) {
	c := decodeContact([]byte(`{"id":"7","firstname":{"x":1},"lastname":" Doe ","mobile":628123,"city":"null","created_at":"yesterday","whatsapp_account_id":"abc"}`))
	assert.Equal(t, int64(7), c.ID)
	assert.Equal(t, "", c.FirstName, "an object is not a name")
	assert.Equal(t, "Doe", c.LastName)
	assert.Equal(t, "628123", c.Mobile)
	assert.Equal(t, "", c.City)
	assert.True(t, c.CreatedAt.IsZero())
	assert.Zero(t, c.WhatsAppAccountID)

	m := decodeMessage([]byte(`{"id":1,"text":"  spaced  ","status":"READ"}`))
	assert.Equal(t, "  spaced  ", m.Text, "a message's own spaces are kept")
	assert.Equal(t, MessageRead, m.Status)
	assert.Equal(t, "READ", m.StatusText)
}
