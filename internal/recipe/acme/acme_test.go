package acme

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/internal/wiretest"
)

// The recipe in CONTRIBUTING.md, followed to the letter for a made-up
// vendor, gives a client that sends, decodes, classifies and validates
// like the four real ones.
func TestRecipe(t *testing.T) {
	m := wiretest.New(t)
	c, err := New("key-123", WithHTTPClient(m.Client()), WithRetryMax(0))
	require.NoError(t, err)
	m.RespondSeq(http.MethodPost, DefaultBaseURL+"/messages",
		wiretest.Response{Status: 200, Body: `{"ok":true,"id":"m-1"}`},
		wiretest.Response{Status: 200, Body: `{"ok":false,"error":{"code":"invalid_request","message":"bad to"}}`},
		wiretest.Response{Status: 502, Body: `<html>bad gateway</html>`})

	sent, err := c.Messages.Send(context.Background(), SendParams{To: "972501234567", Text: "שלום"})
	require.NoError(t, err)
	assert.Equal(t, "m-1", sent.ID)
	assert.JSONEq(t, `{"ok":true,"id":"m-1"}`, string(sent.Raw()))
	last := m.Last()
	assert.Equal(t, "key-123", last.Header.Get("X-Api-Key"))
	assert.Equal(t, "שלום", last.Object()["text"])

	_, err = c.Messages.Send(context.Background(), SendParams{To: "1", Text: "x"})
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "invalid_request", e.Code)
	assert.ErrorIs(t, err, ErrValidation)
	assert.Equal(t, "/messages", e.Path)

	_, err = c.Messages.Send(context.Background(), SendParams{To: "1", Text: "x"})
	assert.ErrorIs(t, err, ErrMaybeDelivered, "a 502 to a send may have gone out")

	_, err = c.Messages.Send(context.Background(), SendParams{Text: "x"})
	var ve *ValidationError
	require.True(t, errors.As(err, &ve))
	assert.Equal(t, "acme: invalid to: required", err.Error())
	assert.Equal(t, 3, m.Count(), "nothing sent for invalid input")

	_, err = New("")
	assert.EqualError(t, err, "acme: invalid apiKey: required")
	assert.Equal(t, "acme.Client", c.String())
}
