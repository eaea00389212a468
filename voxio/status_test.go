package voxio_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/voxio"
)

func TestStatusEnums(t *testing.T) {
	assert.Equal(t, "done", voxio.ConversationDone.String())
	assert.Equal(t, "none", voxio.ConversationReset.String())
	assert.Equal(t, "ConversationStatus(7)", voxio.ConversationStatus(7).String())
	assert.True(t, voxio.ConversationUnread.Valid())
	assert.False(t, voxio.ConversationStatusUnknown.Valid())
	assert.Equal(t, "failed", voxio.MessageFailed.String())
	assert.True(t, voxio.MessageRead.Final())
	assert.False(t, voxio.MessageDelivered.Final())

	for in, want := range map[string]voxio.MessageStatus{`1`: voxio.MessageSent, `"2"`: voxio.MessageDelivered, `"READ"`: voxio.MessageRead,
		`9`: voxio.MessageFailed, `0`: voxio.MessageScheduled, `"queued"`: voxio.MessageStatusUnknown, `null`: voxio.MessageStatusUnknown} {
		var s voxio.MessageStatus
		require.NoError(t, json.Unmarshal([]byte(in), &s))
		assert.Equal(t, want, s, in)
	}
	for in, want := range map[string]voxio.ConversationStatus{`3`: voxio.ConversationImportant, `"1"`: voxio.ConversationDone,
		`"Pending"`: voxio.ConversationPending, `"open"`: voxio.ConversationStatusUnknown, `""`: voxio.ConversationAll} {
		var s voxio.ConversationStatus
		require.NoError(t, json.Unmarshal([]byte(in), &s))
		assert.Equal(t, want, s, in)
	}
	b, err := json.Marshal(voxio.MessageRead)
	require.NoError(t, err)
	assert.Equal(t, "3", string(b))
}

func TestPublicTypesDecodeLeniently(t *testing.T) {
	var c voxio.Contact
	require.NoError(t, json.Unmarshal([]byte(`{"id":"12","firstname":"אבי","mobile":972501234567,"created_at":"2026-06-16 07:30:00","unknown":{"x":[1]}}`), &c))
	assert.Equal(t, int64(12), c.ID)
	assert.Equal(t, "972501234567", c.Mobile)
	assert.Contains(t, string(c.Raw()), "unknown")
	var msgs []voxio.Message
	require.NoError(t, json.Unmarshal([]byte(`[{"id":1,"text":"hi 👋","status":"delivered"},null]`), &msgs))
	assert.Equal(t, voxio.MessageDelivered, msgs[0].Status)
	assert.Equal(t, "hi 👋", msgs[0].Text)
	var conv voxio.Conversation
	assert.Error(t, json.Unmarshal([]byte(`[1]`), &conv))
}
