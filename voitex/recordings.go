package voitex

import (
	"context"
	"mime"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/switchboard-go/switchboard/internal/transport"
)

// RecordingsService adds recordings to the account's Library albums, either
// from an audio file (Upload Recording) or from text (Create TTS). Both are
// POST https://recording.voitexapi.com/upload/ as multipart form-data.
type RecordingsService struct{ tc *transport.Client }

// UploadParams are the Upload Recording API's fields.
type UploadParams struct {
	// AlbumNumber is the album the recording is added to (album_number,
	// required); the portal lists the albums and their numbers.
	AlbumNumber int
	// SortNumber is the number callers dial to pick this recording within
	// the album (sort_number). 0 lets Voitex assign the next free one.
	SortNumber int
	// File is the recording (upload_file, required), in wav or mp3. It is
	// streamed, so a large file costs no memory; open one with OpenFile.
	// Set its Progress to follow a long upload: it is called after each
	// chunk written, with the bytes sent so far and the file's size.
	File *File
	// DisplayName labels the recording on the portal (display_name).
	DisplayName string
	// Override deletes any recording with the same SortNumber first
	// (override=yes). Without it an occupied sort number is an error.
	Override bool
}

// TTSParams are the Create TTS API's fields (type=tts).
type TTSParams struct {
	// AlbumNumber is the album the recording is added to (album_number,
	// required).
	AlbumNumber int
	// SortNumber is the number callers dial to pick this recording within
	// the album (sort_number). 0 lets Voitex assign the next free one.
	SortNumber int
	// Text is converted to speech (text, required).
	Text string
	// Override deletes any recording with the same SortNumber first
	// (override=yes).
	Override bool
}

// Recording is the answer of Upload Recording and Create TTS.
type Recording struct {
	transport.RawJSON
	// ID is the backend recording id Voitex assigned ("data"): the sfile_id
	// that notification calls and Notify can play.
	ID string
}

// uploadForm is the wire form of both recording calls.
type uploadForm struct {
	AlbumNumber int    `url:"album_number"`
	SortNumber  int    `url:"sort_number,omitempty"`
	DisplayName string `url:"display_name,omitempty"`
	Type        string `url:"type,omitempty"`
	Text        string `url:"text,omitempty"`
	Override    string `url:"override,omitempty"`
}

// UploadFileField is the form field the recording file travels in.
const UploadFileField = "upload_file"

// Upload sends an audio file to an album and returns the recording id. The
// file streams from its reader, and its Progress, when set, hears of each
// chunk written (sent so far, total). An upload is never repeated once any
// of it was written: when Voitex may have acted (a broken connection, a
// 5xx answer) the error matches ErrMaybeDelivered.
func (s *RecordingsService) Upload(ctx context.Context, p UploadParams) (*Recording, error) {
	if err := checkAlbum(p.AlbumNumber, p.SortNumber); err != nil {
		return nil, err
	}
	if err := checkAudio(p.File); err != nil {
		return nil, err
	}
	form := uploadForm{AlbumNumber: p.AlbumNumber, SortNumber: p.SortNumber, DisplayName: p.DisplayName, Override: yes(p.Override)}
	return s.send(ctx, &transport.Multipart{Fields: form, Files: []transport.FormFile{{Field: UploadFileField, File: p.File}}})
}

// CreateTTS turns text into a Library recording and returns its id.
func (s *RecordingsService) CreateTTS(ctx context.Context, p TTSParams) (*Recording, error) {
	if err := checkAlbum(p.AlbumNumber, p.SortNumber); err != nil {
		return nil, err
	}
	if strings.TrimSpace(p.Text) == "" {
		return nil, invalid("text", "required")
	}
	form := uploadForm{AlbumNumber: p.AlbumNumber, SortNumber: p.SortNumber, Type: "tts", Text: p.Text, Override: yes(p.Override)}
	return s.send(ctx, &transport.Multipart{Fields: form})
}

func (s *RecordingsService) send(ctx context.Context, body *transport.Multipart) (*Recording, error) {
	return transport.Call(ctx, s.tc, &transport.Request{
		Method:    http.MethodPost,
		Service:   serviceRecording,
		Path:      PathUpload,
		Multipart: body,
		Delivery:  transport.AtMostOnce,
	}, decodeRecording)
}

func decodeRecording(resp *transport.Response) (*Recording, error) {
	env, err := envelopeOf(resp)
	if err != nil {
		return nil, err
	}
	r := &Recording{ID: dataText(env.Data)}
	r.SetRaw(resp.Body)
	return r, nil
}

func checkAlbum(album, sort int) error {
	if album <= 0 {
		return invalid("album_number", "required, a positive album number")
	}
	if sort < 0 {
		return invalid("sort_number", "must not be negative (0 lets Voitex assign one)")
	}
	return nil
}

// audioTypes are the media types of the two formats Voitex accepts.
var audioTypes = map[string]bool{
	"audio/wav": true, "audio/x-wav": true, "audio/wave": true, "audio/vnd.wave": true,
	"audio/mpeg": true, "audio/mp3": true, "audio/mpeg3": true, "audio/x-mpeg-3": true,
}

// checkAudio enforces "wav or mp3" from the file's name or declared type
// before anything is sent.
func checkAudio(f *File) error {
	if f == nil || f.Reader == nil {
		return invalid(UploadFileField, "required")
	}
	name := f.Name
	if name == "" {
		if n, ok := f.Reader.(interface{ Name() string }); ok {
			name = n.Name()
		}
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".wav", ".mp3":
		return nil
	}
	if mt, _, err := mime.ParseMediaType(f.ContentType); err == nil && audioTypes[strings.ToLower(mt)] {
		return nil
	}
	return invalid(UploadFileField, "must be a wav or mp3 file (by name or content type)")
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}
