package switchboard_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard"
	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/voxio"
)

// TestNilAndZeroValues calls every exported method of the package's types on
// a nil pointer and on a zero value: none panics, and each that returns an
// error returns a *ValidationError saying how to build the value.
func TestNilAndZeroValues(t *testing.T) {
	ctx := context.Background()
	isValidation := func(t *testing.T, err error) {
		t.Helper()
		var ve *switchboard.ValidationError
		assert.ErrorAs(t, err, &ve)
	}
	senders := map[string]switchboard.Resolver{
		"nil voxio": (*switchboard.VoxioSender)(nil), "zero voxio": &switchboard.VoxioSender{},
		"nil chattu": (*switchboard.ChattuSender)(nil), "zero chattu": &switchboard.ChattuSender{},
		"nil ourvoice": (*switchboard.OurVoiceSender)(nil), "zero ourvoice": &switchboard.OurVoiceSender{},
		"nil voitex": (*switchboard.VoitexSMSSender)(nil), "zero voitex": &switchboard.VoitexSMSSender{},
	}
	for name, s := range senders {
		t.Run(name, func(t *testing.T) {
			require.NotPanics(t, func() {
				assert.NotEmpty(t, s.Provider())
				assert.NotEmpty(t, fmt.Sprint(s))
				_, err := s.Send(ctx, fakeMsg)
				isValidation(t, err)
				_, err = s.Resolve(ctx, fakeMsg, time.Now())
				isValidation(t, err)
				_, err = switchboard.Resolve(ctx, s, fakeMsg, time.Now())
				isValidation(t, err)
			})
		})
	}

	t.Run("failover", func(t *testing.T) {
		for _, f := range []*switchboard.Failover{nil, {}} {
			require.NotPanics(t, func() {
				assert.Equal(t, switchboard.Provider("failover()"), f.Provider())
				_, err := f.Send(ctx, fakeMsg)
				isValidation(t, err)
				res, err := switchboard.Resolve(ctx, f, fakeMsg, time.Now())
				require.NoError(t, err)
				assert.Equal(t, switchboard.ResolutionUnknown, res.Status)
			})
		}
	})

	t.Run("failover error", func(t *testing.T) {
		for _, e := range []*switchboard.FailoverError{nil, {}} {
			require.NotPanics(t, func() {
				assert.Equal(t, switchboard.Attempt{}, e.Last())
				_, ok := e.MaybeDeliveredBy()
				assert.False(t, ok)
				assert.NotEmpty(t, e.Error())
				assert.False(t, e.Is(switchboard.ErrMaybeDelivered))
				assert.Empty(t, e.Unwrap())
				_, err := e.Resolve(ctx)
				isValidation(t, err)
				o, reason := switchboard.Classify(e)
				assert.Equal(t, switchboard.OutcomeMaybeDelivered, o, "nothing proves a refusal")
				assert.NotEmpty(t, reason)
				o, _ = switchboard.Classify(fmt.Errorf("wrapped: %w", e))
				assert.Equal(t, switchboard.OutcomeMaybeDelivered, o)
			})
		}
		assert.NotEmpty(t, switchboard.Attempt{}.String())
	})

	t.Run("resolution and phone", func(t *testing.T) {
		require.NotPanics(t, func() {
			var r *switchboard.Resolution
			assert.Equal(t, "<nil>", r.String())
			assert.NotEmpty(t, (&switchboard.Resolution{}).String())
			var p switchboard.Phone
			assert.True(t, p.IsZero())
			assert.Empty(t, p.E164())
			assert.Empty(t, p.String())
			assert.Empty(t, p.Digits())
			assert.Empty(t, p.WhatsAppID(), "no chat id for no number")
			assert.Empty(t, p.CountryCode())
			assert.Empty(t, p.National())
			_, err := p.NANP()
			isValidation(t, err)
		})
	})

	t.Run("inbox", func(t *testing.T) {
		for _, ib := range []*switchboard.Inbox{nil, {}} {
			require.NotPanics(t, func() {
				isValidation(t, ib.Run(ctx))
				oc, err := ourvoice.New("token")
				require.NoError(t, err)
				isValidation(t, ib.WatchOurVoice(oc, "session-1", "", nil))
				_, err = ib.VoxioHandler(voxio.RelayConfig{RelaySecret: "s", ClientID: "c", ClientSecret: "x"})
				isValidation(t, err)
				_, err = ib.ChattuHandler([]string{"key"})
				isValidation(t, err)
				assert.NotEmpty(t, ib.String())
			})
		}
	})
}
