package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http/httptest"
	"slices"

	"github.com/switchboard-go/switchboard/relay"
	"github.com/switchboard-go/switchboard/voitex"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
)

func init() { tours = append(tours, tour{name: "Voitex", order: 2, run: tourVoitex}) }

// tourVoitex creates a TTS recording, sends one SMS to several phones
// through the Notify API, and walks one simulated call through an API
// Branch handler.
func tourVoitex(ctx context.Context, w io.Writer) error {
	sb := voitextest.NewServer()
	defer sb.Close()
	c, err := voitex.New(voitextest.DefaultAuthKey, voitex.WithBaseURL(sb.URL))
	if err != nil {
		return err
	}

	rec, err := c.Recordings.CreateTTS(ctx, voitex.TTSParams{AlbumNumber: 1, Text: "Thanks for calling Switchboard Pizza 🍕"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "TTS recording created in album 1: id %s\n", rec.ID)

	res, err := c.Notify.Send(ctx, voitex.NotifyParams{
		Type:   voitex.NotifySMS,
		CID:    "8459511000",
		Phones: []string{"8451234567", "8459998888", "5551234567"},
		Body:   "Your order is on the way! ההזמנה בדרך 🚚",
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Notify SMS to 3 phones: %s, batch %s, %d accepted\n", res.Status, res.BatchID, res.Summary.RecipientEstimate)
	for _, n := range slices.Sorted(maps.Keys(res.Invalid)) {
		fmt.Fprintf(w, "  rejected %s: %s\n", n, res.Invalid[n])
	}

	const token = "quickstart-token-0123456789"
	guard, err := relay.SecretToken(relay.QueryToken("token"), []string{token})
	if err != nil {
		return err
	}
	h, err := voitex.NewBranchHandler(guard, func(ctx context.Context, call *voitex.BranchRequest) (*voitex.BranchResponse, error) {
		if call.LastInput() == "" {
			return voitex.NewBranchResponse().PlayFile(1, 1).
				PlayTTS("Press 1 to track your order, or 0 for a person.").
				Input("1", "200").Input("0", "900"), nil
		}
		return voitex.Goto("900"), nil
	}, voitex.WithBranchFallback(voitex.Goto("900")))
	if err != nil {
		return err
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	call, err := sb.Simulator(srv.URL+"?token="+token, "100").Run(ctx, voitextest.Call{CID: "8451234567", DID: "8459511110", Keys: []string{"1"}})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Simulated call through the API Branch:\n%s", call.Transcript())
	return nil
}
