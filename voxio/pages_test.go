package voxio_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-go/switchboard/internal/wiretest"
	"github.com/switchboard-go/switchboard/voxio"
)

// pager answers a Laravel paginator under key, with perPage numbered items
// per page up to total, and records the page parameter of each request.
func pager(m *wiretest.Mock, method, u, key string, total, perPage int, pages *[]string) {
	last := (total + perPage - 1) / perPage
	m.Handle(method, u, func(req *http.Request) (*http.Response, error) {
		ps := req.URL.Query().Get("page")
		*pages = append(*pages, ps)
		page, _ := strconv.Atoi(ps)
		if page == 0 {
			page = 1
		}
		var items []string
		for i := (page-1)*perPage + 1; i <= min(page*perPage, total); i++ {
			items = append(items, fmt.Sprintf(`{"id":%d,"firstname":"שם %d","status":1}`, i, i))
		}
		next := "null"
		if page < last {
			next = fmt.Sprintf(`"%s?page=%d"`, u, page+1)
		}
		body := fmt.Sprintf(`{"status":"success","remark":"list","message":["ok"],"data":{"%s":{"current_page":%d,"data":[%s],"last_page":%d,"next_page_url":%s,"per_page":%d,"total":%d}}}`,
			key, page, strings.Join(items, ","), last, next, perPage, total)
		return httpmock.NewStringResponse(200, body), nil
	})
}

func TestContactsListAll(t *testing.T) {
	c, m := newMockClient(t)
	var pages []string
	pager(m, http.MethodGet, baseURL+"/contact/list", "contacts", 5, 2, &pages)
	var ids []int64
	for ct, err := range c.Contacts.ListAll(context.Background(), &voxio.ContactListParams{Paginate: 2, Search: "שם"}) {
		require.NoError(t, err)
		ids = append(ids, ct.ID)
	}
	assert.Equal(t, []int64{1, 2, 3, 4, 5}, ids)
	assert.Equal(t, []string{"1", "2", "3"}, pages, "stops at last_page")
}

func TestConversationsAllStopsEarly(t *testing.T) {
	c, m := newMockClient(t)
	var pages []string
	pager(m, http.MethodGet, baseURL+"/inbox/conversation-list", "conversation", 10, 3, &pages)
	n := 0
	for conv, err := range c.Inbox.ConversationsAll(context.Background(), &voxio.ConversationListParams{Status: voxio.ConversationDone, Page: 2}) {
		require.NoError(t, err)
		assert.Equal(t, voxio.ConversationDone, conv.Status)
		n++
		if n == 4 {
			break
		}
	}
	assert.Equal(t, []string{"2", "3"}, pages, "starts at params.Page, fetches lazily")
}

func TestListAllYieldsErrorOnce(t *testing.T) {
	c, m := newMockClient(t)
	var calls atomic.Int32
	m.Handle(http.MethodGet, baseURL+"/contact/list", func(req *http.Request) (*http.Response, error) {
		if calls.Add(1) == 1 {
			return httpmock.NewStringResponse(200, `{"status":"success","remark":"contact-list","data":{"contacts":{"current_page":1,"data":[{"id":1}],"last_page":3}}}`), nil
		}
		return httpmock.NewStringResponse(200, wiretest.Fixture(t, "error_ip_whitelist.json")), nil
	})
	var errs []error
	n := 0
	for _, err := range c.Contacts.ListAll(context.Background(), nil) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	assert.Equal(t, 1, n)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], voxio.ErrUnauthorized)
}

func TestTemplatesListAllFollowsPaginator(t *testing.T) {
	c, m := newMockClient(t)
	var pages []string
	pager(m, http.MethodGet, baseURL+"/inbox/template-list", "templates", 3, 2, &pages)
	var ids []int64
	for tpl, err := range c.Templates.ListAll(context.Background(), &voxio.TemplateListParams{WhatsAppAccountID: 24}) {
		require.NoError(t, err)
		ids = append(ids, tpl.ID)
	}
	assert.Equal(t, []int64{1, 2, 3}, ids)
	assert.Equal(t, []string{"", "2"}, pages, "the first request sends only the documented fields")
}

func TestConversationMessagesAll(t *testing.T) {
	c, m := newMockClient(t)
	var pages []string
	pager(m, http.MethodGet, baseURL+"/inbox/conversation-messages/7", "messages", 3, 2, &pages)
	var ids []int64
	for m, err := range c.Inbox.ConversationMessagesAll(context.Background(), 7) {
		require.NoError(t, err)
		ids = append(ids, m.ID)
	}
	assert.Equal(t, []int64{1, 2, 3}, ids)
	assert.Equal(t, []string{"", "2"}, pages)
}

func TestPlainArrayIsOnePage(t *testing.T) {
	c, m := newMockClient(t)
	m.Respond(http.MethodGet, baseURL+"/inbox/template-list", 200, `{"status":"success","remark":"template-list","data":{"templates":[{"id":1,"name":"a"},{"id":2,"name":"b"}]}}`)
	n := 0
	for _, err := range c.Templates.ListAll(context.Background(), nil) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 2, n)
	assert.Equal(t, 1, m.Count())
}

func TestPaginatorUnderAnyKey(t *testing.T) {
	c, m := newMockClient(t)
	m.Respond(http.MethodGet, baseURL+"/contact/list", 200, `{"status":"success","remark":"contact-list","data":{"user":{"id":1},"items":{"current_page":1,"data":[{"id":9,"firstname":"Zoë"}],"last_page":1}}}`)
	res, err := c.Contacts.List(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, res.Contacts, 1)
	assert.Equal(t, "Zoë", res.Contacts[0].FirstName)
	assert.False(t, res.Pagination.HasMore())
}

// TestIteratorStopsWhenServerIgnoresPage: a paginator that always answers
// page 1 cannot make the iterator loop forever.
func TestIteratorStopsWhenServerIgnoresPage(t *testing.T) {
	c, m := newMockClient(t)
	m.Respond(http.MethodGet, baseURL+"/inbox/conversation-list", 200,
		`{"status":"success","remark":"conversation-list","data":{"conversation":{"current_page":1,"data":[{"id":1}],"last_page":3,"next_page_url":"x?page=2"}}}`)
	n := 0
	for _, err := range c.Inbox.ConversationsAll(context.Background(), nil) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 2, n)
	assert.Len(t, m.Requests(), 2)
}
