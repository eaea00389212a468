package main

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"html/template"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-go/switchboard/chattu/chattutest"
	"github.com/switchboard-go/switchboard/ourvoice"
	"github.com/switchboard-go/switchboard/ourvoice/ourvoicetest"
	"github.com/switchboard-go/switchboard/voitex/voitextest"
	"github.com/switchboard-go/switchboard/voxio/voxiotest"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// config says where the sandboxes listen and how the dev server behaves.
type config struct {
	// Voxio, Voitex, OurVoice and Chattu are the sandboxes' listeners;
	// nil gives a sandbox a new loopback port.
	Voxio, Voitex, OurVoice, Chattu net.Listener
	// RelayURL is where Voxio's relay deliveries go from the start.
	RelayURL string
	// StatusEvery is how fast a WhatsApp message sent through Voxio moves
	// sent -> delivered -> read.
	StatusEvery time.Duration
	// Refresh is how often the page's state is compared with what the
	// browsers have, for changes no request causes (statuses moving on a
	// clock, QR codes rotating).
	Refresh time.Duration
	// CallTimeout bounds each request the dev server makes to the
	// application (relay deliveries, API Branch requests).
	CallTimeout time.Duration
}

// Region names: each is a part of the page that is redrawn live.
const (
	regionVoxio    = "voxio"
	regionVoitex   = "voitex"
	regionCall     = "voitex-call"
	regionOurVoice = "ourvoice"
	regionChattu   = "chattu"
)

var regions = []string{regionVoxio, regionVoitex, regionCall, regionOurVoice, regionChattu}

// devServer is the four sandboxes, what it has seen of the application's
// traffic, and the inspector page.
type devServer struct {
	voxio    *voxiotest.Server
	voitex   *voitextest.Server
	ourvoice *ourvoicetest.Server
	chattu   *chattutest.Server

	feeds map[string]*feed // by vendor (region name)
	ivr   *ivr
	hub   *hub
	tmpl  *template.Template
	http  *http.Client // requests to the application
	cfg   config

	// Seeded so that an application can send at once.
	ourvoiceSession string
	chattuClient    string

	mu         sync.Mutex
	relayURL   string
	ovInbound  []inboundView
	lastAction map[string]string // by vendor: what the latest page action did

	kick   chan struct{}
	stop   context.CancelFunc
	done   chan struct{}
	closed sync.Once
}

// inboundView is a message the page had a vendor receive.
type inboundView struct {
	At          time.Time
	ID, Session string
	From, Text  string
}

// newDevServer starts the sandboxes and the loop that keeps browsers up to
// date. Close stops everything.
func newDevServer(cfg config) (*devServer, error) {
	if cfg.StatusEvery <= 0 {
		cfg.StatusEvery = 5 * time.Second
	}
	if cfg.Refresh <= 0 {
		cfg.Refresh = time.Second
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = 10 * time.Second
	}
	tmpl, err := template.New("").Funcs(templateFuncs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	d := &devServer{
		feeds:      map[string]*feed{},
		hub:        newHub(),
		tmpl:       tmpl,
		http:       &http.Client{Timeout: cfg.CallTimeout},
		cfg:        cfg,
		lastAction: map[string]string{},
		kick:       make(chan struct{}, 1),
		done:       make(chan struct{}),
	}
	// Sandboxes may answer requests before the fields below are set: their
	// observers wait until then.
	ready := make(chan struct{})
	observe := func(region string) func(served) {
		return func(sv served) {
			<-ready
			d.feeds[region].add(sv)
			d.changed()
		}
	}
	d.feeds[regionVoxio] = newFeed(func(name, v string) bool {
		switch strings.ToLower(name) {
		case "client-id":
			return same(v, voxiotest.DefaultClientID)
		case "client-secret":
			return same(v, voxiotest.DefaultClientSecret)
		}
		return false
	})
	d.feeds[regionVoitex] = newFeed(func(_, v string) bool { return same(v, voitextest.DefaultAuthKey) })
	d.feeds[regionOurVoice] = newFeed(func(_, v string) bool { return same(v, "Bearer "+d.ourvoice.Token()) })
	d.feeds[regionChattu] = newFeed(func(name, v string) bool {
		if strings.EqualFold(name, "cookie") {
			return same(v, d.chattu.SessionCookie())
		}
		if same(v, d.chattu.APIKey()) {
			return true
		}
		for _, c := range d.chattu.Clients() {
			if same(v, c.APIKey) {
				return true
			}
		}
		return false
	})

	d.voxio = voxiotest.NewServer(voxiotest.WithListener(cfg.Voxio), voxiotest.WithObserver(observe(regionVoxio)),
		voxiotest.WithAutoStatus(cfg.StatusEvery), voxiotest.WithRelayHTTPClient(d.http), voxiotest.WithRelayURL(cfg.RelayURL))
	d.voitex = voitextest.NewServer(voitextest.WithListener(cfg.Voitex), voitextest.WithObserver(observe(regionVoitex)))
	d.ourvoice = ourvoicetest.NewServer(ourvoicetest.WithListener(cfg.OurVoice), ourvoicetest.WithObserver(observe(regionOurVoice)))
	d.chattu = chattutest.NewServer(chattutest.WithListener(cfg.Chattu), chattutest.WithObserver(observe(regionChattu)))
	d.relayURL = cfg.RelayURL
	d.ivr = &ivr{sandbox: d.voitex, client: d.http}

	if d.ourvoiceSession, err = d.ourvoice.ReadySession(""); err == nil {
		d.chattuClient, err = d.chattu.ReadyClient("")
	}
	close(ready)
	if err != nil {
		d.closeSandboxes()
		return nil, err
	}

	ctx, cancel := context.WithCancel(context.Background())
	d.stop = cancel
	d.render() // browsers that connect at once get the full page
	go d.loop(ctx)
	return d, nil
}

// same compares a credential in constant time.
func same(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// Close stops the refresh loop, ends the live streams and shuts the
// sandboxes down.
func (d *devServer) Close() {
	d.closed.Do(func() {
		d.stop()
		<-d.done
		d.hub.close()
		d.closeSandboxes()
	})
}

func (d *devServer) closeSandboxes() {
	for _, c := range []interface{ Close() }{d.voxio, d.voitex, d.ourvoice, d.chattu} {
		if c != nil {
			c.Close()
		}
	}
}

// changed asks the loop to redraw soon; it never blocks.
func (d *devServer) changed() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

func (d *devServer) loop(ctx context.Context) {
	defer close(d.done)
	t := time.NewTicker(d.cfg.Refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.kick:
		}
		d.render()
	}
}

// render draws every region and sends browsers the ones that changed.
func (d *devServer) render() {
	for _, r := range regions {
		html, err := d.renderRegion(r)
		if err != nil {
			html = "<p class=\"error\">This part of the page could not be drawn: " + template.HTMLEscapeString(err.Error()) + "</p>"
		}
		d.hub.publish(r, html)
	}
}

func (d *devServer) renderRegion(region string) (string, error) {
	var b strings.Builder
	var data any
	switch region {
	case regionVoxio:
		data = d.voxioView()
	case regionVoitex:
		data = d.voitexView()
	case regionCall:
		data = d.ivr.view()
	case regionOurVoice:
		data = d.ourvoiceView()
	case regionChattu:
		data = d.chattuView()
	default:
		return "", errors.New("no such region")
	}
	err := d.tmpl.ExecuteTemplate(&b, "region-"+region, data)
	return b.String(), err
}

// setAction records what the latest page action for vendor did.
func (d *devServer) setAction(vendor, text string) {
	d.mu.Lock()
	d.lastAction[vendor] = text
	d.mu.Unlock()
}

func (d *devServer) action(vendor string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lastAction[vendor]
}

func (d *devServer) currentRelayURL() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.relayURL
}

func (d *devServer) ourvoiceInbound() []inboundView {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]inboundView(nil), d.ovInbound...)
}

func (d *devServer) addOurVoiceInbound(m ourvoice.Message) {
	d.mu.Lock()
	d.ovInbound = append(d.ovInbound, inboundView{At: m.CreatedAt, ID: m.ID, Session: m.WhatsAppSessionID, From: m.FromNumber, Text: m.Content})
	if len(d.ovInbound) > feedSize {
		d.ovInbound = d.ovInbound[len(d.ovInbound)-feedSize:]
	}
	d.mu.Unlock()
}
