package voitextest

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Recording is a Library recording stored by the sandbox.
type Recording struct {
	// ID is the backend recording id returned as data.
	ID          string
	Album       int    // album_number
	Sort        int    // sort_number, assigned when none was sent
	DisplayName string // display_name
	// TTS reports a Create TTS recording.
	TTS  bool
	Text string // what a TTS recording says
	// FileName is the uploaded file's name.
	FileName    string
	ContentType string    // the uploaded part's declared type
	Size        int64     // the uploaded file's size
	Data        []byte    // the file's first MaxStoredFile bytes
	Created     time.Time // by the sandbox clock
}

// Recordings returns the stored recordings, by album and sort number.
func (s *Server) Recordings() []Recording {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Recording, 0, len(s.recordings))
	for _, r := range s.recordings {
		out = append(out, *r)
	}
	return out
}

// Recording returns the recording at album and sort number.
func (s *Server) Recording(album, sort int) (Recording, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.findRecording(album, sort); r != nil {
		return *r, true
	}
	return Recording{}, false
}

func (s *Server) findRecording(album, sort int) *Recording {
	for _, r := range s.recordings {
		if r.Album == album && r.Sort == sort {
			return r
		}
	}
	return nil
}

func (s *Server) recordingByID(id string) *Recording {
	for _, r := range s.recordings {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// upload serves Upload Recording and Create TTS (type=tts): recordings per
// album and sort number, the next free sort number when none is given, and
// override=yes to replace an occupied one.
func (s *Server) upload(w httpWriter, f *form) {
	album, err := strconv.Atoi(f.get("album_number"))
	if err != nil || album <= 0 {
		fail(w, "album_number is required")
		return
	}
	sortNum := 0
	if v := f.get("sort_number"); v != "" {
		if sortNum, err = strconv.Atoi(v); err != nil || sortNum < 0 {
			fail(w, "sort_number must be a number")
			return
		}
	}
	override := strings.EqualFold(f.get("override"), "yes")
	rec := &Recording{Album: album, Sort: sortNum, DisplayName: f.get("display_name")}
	if strings.EqualFold(f.get("type"), "tts") {
		rec.TTS = true
		rec.Text = f.raw("text")
		if strings.TrimSpace(rec.Text) == "" {
			fail(w, "text is required")
			return
		}
	} else {
		fhs := f.files["upload_file"]
		if len(fhs) == 0 {
			fail(w, "upload_file is required")
			return
		}
		fh := fhs[0]
		switch strings.ToLower(filepath.Ext(fh.Filename)) {
		case ".wav", ".mp3":
		default:
			fail(w, "upload_file must be a wav or mp3 file")
			return
		}
		data, err := readFile(fh)
		if err != nil {
			fail(w, "upload_file could not be read")
			return
		}
		rec.FileName, rec.ContentType, rec.Size, rec.Data = fh.Filename, fh.Header.Get("Content-Type"), fh.Size, data
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if rec.Sort == 0 {
		max := 0
		for _, r := range s.recordings {
			if r.Album == album && r.Sort > max {
				max = r.Sort
			}
		}
		rec.Sort = max + 1
	} else if old := s.findRecording(album, rec.Sort); old != nil {
		if !override {
			fail(w, fmt.Sprintf("sort_number %d already exists in album %d", rec.Sort, album))
			return
		}
		s.removeRecording(old)
	}
	s.seq++
	rec.ID = strconv.Itoa(918356 + s.seq)
	rec.Created = s.now()
	s.recordings = append(s.recordings, rec)
	writeData(w, rec.ID)
}

func (s *Server) removeRecording(old *Recording) {
	for i, r := range s.recordings {
		if r == old {
			s.recordings = append(s.recordings[:i], s.recordings[i+1:]...)
			return
		}
	}
}
