package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/google/go-querystring/query"
)

// File is a file to upload. Only Reader is required.
//
// A source that can be read again, an *os.File, an io.ReaderAt (such as
// *bytes.Reader or *strings.Reader) or an io.ReadSeeker, is streamed from
// disk or memory on every attempt and may be retried under the delivery
// rules. Any other io.Reader is one-shot: it is streamed once and the request
// is never retried.
type File struct {
	// Name is the file name sent to the vendor. Defaults to the base name of
	// an *os.File, or "file".
	Name string
	// ContentType defaults to the type for Name's extension, or
	// application/octet-stream.
	ContentType string
	// Reader is the content.
	Reader io.Reader
	// Size is the content length in bytes. Leave it 0 to have it measured
	// (files, ReaderAts with a size, seekers); a one-shot reader of unknown
	// size is sent chunked and cannot be checked against size limits.
	Size int64
	// Progress, when set, is called as the content is written to the
	// connection: after each chunk, with the bytes of this file sent so far
	// and its total size (-1 when unknown). It runs on the goroutine that
	// writes the request, so it must return quickly. A retried upload
	// reports again from zero.
	Progress func(sent, total int64)
}

// OpenFile opens path for upload, for vendor's package: a path that is not
// a regular file is a *ValidationError naming vendor. The caller closes the
// returned file's Reader (an *os.File) when the call has returned.
func OpenFile(vendor, path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, InvalidFor(vendor, "file", "must be a regular file")
	}
	return &File{Name: filepath.Base(path), Reader: f, Size: st.Size()}, nil
}

// source is a File resolved for sending: its size, content type and a way
// to produce a fresh reader per attempt.
type source struct {
	name, contentType string
	size              int64 // -1 when unknown
	open              func() (io.Reader, error)
	rereadable        bool
	progress          func(sent, total int64)
	// turn serialises attempts over a source with one read position (an
	// io.ReadSeeker): net/http may still be reading the previous attempt's
	// body when the next attempt rewinds it. nil for sources that need no
	// turn.
	turn chan struct{}
}

type sizer interface{ Size() int64 }

type lener interface{ Len() int }

// resolve inspects f without reading its content.
func (f *File) resolve(field string) (*source, error) {
	if f == nil || f.Reader == nil {
		return nil, Invalid(field, "file has no content")
	}
	if f.Size < 0 {
		return nil, Invalid(field, "file size must not be negative")
	}
	if strings.ContainsAny(f.Name+f.ContentType, "\r\n") {
		return nil, Invalid(field, "file name and content type must not contain line breaks")
	}
	s := &source{name: f.Name, contentType: f.ContentType, size: -1, progress: f.Progress}
	if osf, ok := f.Reader.(*os.File); ok && s.name == "" {
		s.name = filepath.Base(osf.Name())
	}
	if s.name == "" {
		s.name = "file"
	}
	if s.contentType == "" {
		s.contentType = ContentTypeFor(s.name)
	}
	size, known := f.Size, f.Size > 0
	switch r := f.Reader.(type) {
	case io.ReaderAt:
		if !known {
			switch v := r.(type) {
			case *os.File:
				st, err := v.Stat()
				if err != nil {
					return nil, fmt.Errorf("switchboard: %s: %w", field, err)
				}
				size, known = st.Size(), true
			case sizer:
				size, known = v.Size(), true
			case io.Seeker:
				// A ReaderAt is sent whole from offset 0; measure it and
				// leave its position where it was.
				cur, err := v.Seek(0, io.SeekCurrent)
				if err != nil {
					return nil, fmt.Errorf("switchboard: %s: %w", field, err)
				}
				end, err := v.Seek(0, io.SeekEnd)
				if err != nil {
					return nil, fmt.Errorf("switchboard: %s: %w", field, err)
				}
				if _, err := v.Seek(cur, io.SeekStart); err != nil {
					return nil, fmt.Errorf("switchboard: %s: %w", field, err)
				}
				size, known = end, true
			}
		}
		if known {
			s.size = size
			s.rereadable = true
			s.open = func() (io.Reader, error) { return io.NewSectionReader(r, 0, size), nil }
			return s, nil
		}
	case io.ReadSeeker:
		start, err := r.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, fmt.Errorf("switchboard: %s: %w", field, err)
		}
		if !known {
			end, err := r.Seek(0, io.SeekEnd)
			if err != nil {
				return nil, fmt.Errorf("switchboard: %s: %w", field, err)
			}
			size = end - start
		}
		s.size = size
		s.rereadable = true
		s.turn = make(chan struct{}, 1)
		s.open = func() (io.Reader, error) {
			if _, err := r.Seek(start, io.SeekStart); err != nil {
				return nil, err
			}
			return io.LimitReader(r, size), nil
		}
		return s, nil
	}
	if l, ok := f.Reader.(lener); ok && !known {
		size, known = int64(l.Len()), true
	}
	if known {
		s.size = size
	}
	r := f.Reader
	s.open = func() (io.Reader, error) {
		if s.size >= 0 {
			return io.LimitReader(r, s.size), nil
		}
		return r, nil
	}
	return s, nil
}

// FormFile is one file part of a multipart form.
type FormFile struct {
	Field string
	File  *File
}

// Multipart is a multipart/form-data body: Fields (a go-querystring struct
// or url.Values) followed by Files.
type Multipart struct {
	Fields any
	Files  []FormFile
}

// encoded is a request body ready to send on any attempt.
type encoded struct {
	ctx         context.Context // the call's, to stop waiting for a turn
	contentType string
	ctHeader    []string  // {contentType} when shared; nil: built per request
	length      int64     // -1: unknown, sent chunked
	data        []byte    // the whole body, when it has no file parts
	segments    []segment // multipart with files: data and file parts in order
	rereadable  bool
}

type segment struct {
	data []byte
	src  *source
}

// reader returns a fresh reader over the whole body, for one attempt.
// net/http closes it when it is done with the attempt, which hands any
// single-position source on to the next attempt.
func (e *encoded) reader() (io.Reader, error) {
	if e.segments == nil {
		return bytes.NewReader(e.data), nil
	}
	b := &body{}
	rs := make([]io.Reader, 0, len(e.segments))
	for _, s := range e.segments {
		if s.src == nil {
			rs = append(rs, bytes.NewReader(s.data))
			continue
		}
		if s.src.turn != nil {
			if err := b.wait(e.ctx, s.src.turn); err != nil {
				b.Close()
				return nil, err
			}
		}
		r, err := s.src.open()
		if err != nil {
			b.Close()
			return nil, err
		}
		if s.src.size >= 0 {
			r = &exactReader{r: r, left: s.src.size}
		}
		if s.src.progress != nil {
			// One wrapper per attempt; each chunk then costs a call and
			// no allocation.
			r = &progressReader{r: r, fn: s.src.progress, total: s.src.size}
		}
		rs = append(rs, r)
	}
	b.Reader = io.MultiReader(rs...)
	return b, nil
}

// body is one attempt's multipart body. Closing it gives back the turns it
// holds on single-position sources.
type body struct {
	io.Reader
	mu     sync.Mutex // held during Read, so Close waits for a read in flight
	closed bool
	turns  []chan struct{}
}

var errBodyClosed = errors.New("request body read after close")

// Read implements io.Reader. After Close it fails, so a late read by
// net/http cannot move a source another attempt now owns.
func (b *body) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, errBodyClosed
	}
	return b.Reader.Read(p)
}

func (b *body) wait(ctx context.Context, turn chan struct{}) error {
	if ctx == nil {
		ctx = context.Background()
	}
	select {
	case turn <- struct{}{}:
		b.mu.Lock()
		b.turns = append(b.turns, turn)
		b.mu.Unlock()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close implements io.Closer; it is safe to call more than once.
func (b *body) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for _, t := range b.turns {
		<-t
	}
	b.turns = nil
	return nil
}

// progressReader reports each chunk read from a file to its Progress.
type progressReader struct {
	r           io.Reader
	fn          func(sent, total int64)
	sent, total int64
	err         error // set once Progress panicked
}

// errProgressPanic is the cause of an upload stopped by a panicking
// File.Progress.
var errProgressPanic = errors.New("switchboard: file Progress callback panicked")

// Read implements io.Reader. Progress runs on the goroutine net/http writes
// the request on, where a panic would end the whole program: it is
// recovered here and fails the upload instead.
func (p *progressReader) Read(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	n, err := p.r.Read(b)
	if n > 0 {
		p.sent += int64(n)
		if perr := p.report(); perr != nil {
			p.err = perr
			return n, perr
		}
	}
	return n, err
}

func (p *progressReader) report() (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%w: %v", errProgressPanic, v)
		}
	}()
	p.fn(p.sent, p.total)
	return nil
}

// exactReader fails when a file is shorter than the size it declared, so a
// truncated upload is an error instead of a request with a wrong
// Content-Length.
type exactReader struct {
	r    io.Reader
	left int64
}

var errShortFile = errors.New("file is shorter than its declared size")

func (x *exactReader) Read(p []byte) (int, error) {
	if x.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > x.left {
		p = p[:x.left]
	}
	n, err := x.r.Read(p)
	x.left -= int64(n)
	if err == io.EOF && x.left > 0 {
		return n, errShortFile
	}
	if err == io.EOF {
		err = nil
	}
	return n, err
}

// Values turns a go-querystring struct, url.Values or nil into url.Values.
func Values(v any) (url.Values, error) {
	switch t := v.(type) {
	case nil:
		return url.Values{}, nil
	case url.Values:
		return t, nil
	case map[string][]string:
		return url.Values(t), nil
	}
	vals, err := query.Values(v)
	if err != nil {
		return nil, fmt.Errorf("switchboard: encoding parameters: %w", err)
	}
	return vals, nil
}

// EncodeQuery encodes v as a query string, keys sorted. Keys keep their
// literal names ("filter[status]", "to_number[]"), percent-encoded on the
// wire as every server decodes them.
func EncodeQuery(v any) (string, error) {
	vals, err := Values(v)
	if err != nil {
		return "", err
	}
	return vals.Encode(), nil
}

// The Content-Type values of the in-memory bodies, shared by every request
// (nothing in net/http modifies a header's values in place).
var (
	ctJSON = []string{"application/json"}
	ctForm = []string{"application/x-www-form-urlencoded"}
)

func encodeJSON(e *encoded, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("switchboard: encoding JSON body: %w", err)
	}
	*e = encoded{contentType: ctJSON[0], ctHeader: ctJSON, data: b, length: int64(len(b)), rereadable: true}
	return nil
}

func encodeForm(e *encoded, v any) error {
	s, err := EncodeQuery(v)
	if err != nil {
		return err
	}
	*e = encoded{contentType: ctForm[0], ctHeader: ctForm, data: []byte(s), length: int64(len(s)), rereadable: true}
	return nil
}

// encodeMultipart lays out the body once: the framing and fields are built
// in memory, file contents are streamed per attempt. The boundary is chosen
// once per request so that every attempt is byte-identical and the exact
// Content-Length is known when every file's size is.
func encodeMultipart(m *Multipart) (*encoded, error) {
	vals, err := Values(m.Fields)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range vals[k] {
			if err := w.WriteField(k, v); err != nil {
				return nil, err
			}
		}
	}
	e := &encoded{contentType: w.FormDataContentType(), rereadable: true}
	var total int64
	known := true
	for _, ff := range m.Files {
		if ff.Field == "" {
			return nil, Invalid("file", "form field name is required")
		}
		src, err := ff.File.resolve(ff.Field)
		if err != nil {
			return nil, err
		}
		h := make(textproto.MIMEHeader, 2)
		// Quoted UTF-8 as browsers and curl send it: PHP and Node servers
		// do not all read the RFC 2231 filename* form.
		h.Set("Content-Disposition", `form-data; name="`+quoteEscaper.Replace(ff.Field)+`"; filename="`+quoteEscaper.Replace(src.name)+`"`)
		h.Set("Content-Type", src.contentType)
		if _, err := w.CreatePart(h); err != nil {
			return nil, err
		}
		head := append([]byte(nil), buf.Bytes()...)
		buf.Reset()
		e.segments = append(e.segments, segment{data: head}, segment{src: src})
		total += int64(len(head))
		if src.size < 0 {
			known = false
		} else {
			total += src.size
		}
		if !src.rereadable {
			e.rereadable = false
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if len(e.segments) == 0 {
		// Fields only: the whole body is in memory, like a JSON one.
		e.data = buf.Bytes()
		e.length = int64(len(e.data))
		return e, nil
	}
	tail := append([]byte(nil), buf.Bytes()...)
	e.segments = append(e.segments, segment{data: tail})
	total += int64(len(tail))
	e.length = total
	if !known {
		e.length = -1
	}
	return e, nil
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"", "\r", "", "\n", "")

// ResolvedSize reports the number of bytes that will be sent for f, without
// reading it, so vendor packages can enforce documented size limits before
// anything is sent. It is -1 for a one-shot reader of unknown size.
func (f *File) ResolvedSize() (int64, error) {
	s, err := f.resolve("file")
	if err != nil {
		return 0, err
	}
	return s.size, nil
}

// mediaTypes pins the types of the files the vendors accept, so the Content-Type
// sent does not depend on the machine's mime.types.
var mediaTypes = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif", ".webp": "image/webp",
	".mp4": "video/mp4", ".3gp": "video/3gpp", ".mov": "video/quicktime",
	".mp3": "audio/mpeg", ".wav": "audio/wav", ".ogg": "audio/ogg", ".opus": "audio/ogg", ".aac": "audio/aac",
	".amr": "audio/amr", ".m4a": "audio/mp4",
	".pdf": "application/pdf", ".txt": "text/plain", ".csv": "text/csv",
	".doc": "application/msword", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xls": "application/vnd.ms-excel", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".ppt": "application/vnd.ms-powerpoint", ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".zip": "application/zip",
}

// ContentTypeFor returns the media type for a file name's extension, or
// application/octet-stream.
func ContentTypeFor(name string) string {
	ext := strings.ToLower(filepath.Ext(name))
	if t, ok := mediaTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}
