package acme

import (
	"context"
	"net/http"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// SendParams is a message to send.
type SendParams struct {
	To   string `json:"to"`
	Text string `json:"text"`
}

// Sent is Acme's answer to a send.
type Sent struct {
	transport.RawJSON
	ID string `json:"id"`
}

// Send sends a text message.
func (s *MessagesService) Send(ctx context.Context, p SendParams) (*Sent, error) {
	if p.To == "" {
		return nil, invalid("to", "required")
	}
	return transport.Call(ctx, s.tc, &transport.Request{Method: http.MethodPost, Path: "/messages", JSON: p}, transport.DecodeJSON[*Sent])
}
