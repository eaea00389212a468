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

// SeedRecording stores r in the Library as if it had been uploaded, with
// the id the test chose, so that documented requests naming a fixed
// sfile_id ("918357") find it. Album must be positive; Sort 0 takes the
// album's next free number; ID "" is assigned like an upload's. Created
// defaults to the sandbox clock. It fails, storing nothing, when the id or
// the album and sort number are taken.
func (s *Server) SeedRecording(r Recording) error {
	if r.Album <= 0 || r.Sort < 0 {
		return fmt.Errorf("voitextest: SeedRecording: album %d, sort %d: need a positive album and a sort number", r.Album, r.Sort)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.ID != "" && s.recordingByID(r.ID) != nil {
		return fmt.Errorf("voitextest: SeedRecording: id %s is taken", r.ID)
	}
	if r.Sort == 0 {
		r.Sort = s.nextSort(r.Album)
	} else if s.findRecording(r.Album, r.Sort) != nil {
		return fmt.Errorf("voitextest: SeedRecording: sort_number %d already exists in album %d", r.Sort, r.Album)
	}
	if r.ID == "" {
		r.ID = s.newRecordingID()
	}
	if r.Created.IsZero() {
		r.Created = s.now()
	}
	r.Data = append([]byte(nil), r.Data...)
	s.recordings = append(s.recordings, &r)
	return nil
}

// newRecordingID returns the next backend id, 918357 first as in the
// documentation's sample, skipping ids a test seeded.
func (s *Server) newRecordingID() string {
	for {
		s.seq++
		id := strconv.Itoa(918356 + s.seq)
		if s.recordingByID(id) == nil {
			return id
		}
	}
}

func (s *Server) nextSort(album int) int {
	max := 0
	for _, r := range s.recordings {
		if r.Album == album && r.Sort > max {
			max = r.Sort
		}
	}
	return max + 1
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
		rec.Sort = s.nextSort(album)
	} else if old := s.findRecording(album, rec.Sort); old != nil {
		if !override {
			fail(w, fmt.Sprintf("sort_number %d already exists in album %d", rec.Sort, album))
			return
		}
		s.removeRecording(old)
	}
	rec.ID = s.newRecordingID()
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
