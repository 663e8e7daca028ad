package launchpadtest

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// A small slice of each product's own API under the demo hrefs, for
// `bcauth api` and its tests, in the shapes of Basecamp's public API docs
// (bc3-api, bcx-api, and the classic products' XML):
//
//	GET  {bc3}/projects.json            paginated: Link rel="next", X-Total-Count
//	POST {bc3}/projects.json            {"name", "description"} → 201, the project
//	GET  {bc3}/projects/ID.json         one project, 404 when there is none
//	PUT  {bc3}/projects/ID.json         {"name", "description"} → 200, the project as changed
//	DELETE {bc3}/projects/ID.json       → 204 (trashed)
//	GET  {bc3}/people.json              the people of the account
//	POST {bc3}/buckets/P/message_boards/B/messages.json  {"subject", "content"} → 201
//	GET  {bcx}/projects.json, {bcx}/people.json
//	GET  {classic}/projects.xml, {highrise}/people.xml
//
// Every request needs a User-Agent and the fake's Bearer token (or Basic
// credentials allowed by AllowBasic), as the who-am-I endpoints do; an
// expired token gets the products' 401 "OAuth token expired". ScriptAPI
// scripts errors (404, 403, 429 with Retry-After, 500 then success) and a
// large body.

// APIPageSize is how many items one page of a paginated list holds.
const APIPageSize = 15

// DemoProjects is how many projects the first demo account, Honcho Design
// (bc3 99999999), has: three pages. Other bc3 accounts have three.
const DemoProjects = 40

// apiShapes are the API slices under the demo hrefs' prefixes.
var apiShapes = []struct {
	pattern, product string
	serve            func(s *Server, w http.ResponseWriter, r *http.Request, c apiCall)
}{
	{"GET /bc3/{account}/projects.json", "bc3", (*Server).listProjects},
	{"POST /bc3/{account}/projects.json", "bc3", (*Server).createProject},
	{"GET /bc3/{account}/projects/{file}", "bc3", (*Server).getProject},
	{"PUT /bc3/{account}/projects/{file}", "bc3", (*Server).updateProject},
	{"DELETE /bc3/{account}/projects/{file}", "bc3", (*Server).trashProject},
	{"GET /bc3/{account}/people.json", "bc3", (*Server).listPeople},
	{"POST /bc3/{account}/buckets/{project}/message_boards/{board}/messages.json", "bc3", (*Server).createMessage},
	{"GET /bcx/{account}/api/v1/projects.json", "bcx", (*Server).listProjects},
	{"GET /bcx/{account}/api/v1/people.json", "bcx", (*Server).listPeople},
	{"GET /classic/{account}/projects.xml", "basecamp", (*Server).classicProjects},
	{"GET /highrise/{account}/people.xml", "highrise", (*Server).highrisePeople},
}

// apiCall is one API request's account and whose credentials it carries.
type apiCall struct {
	acc  Account
	who  person
	base string // the account href's URL, as this request reached it
}

// ScriptAPI makes the API slices of the account with this product and id
// answer with answers, one per request, in order; the last one then stays.
// No answers restores the usual answers. The who-am-I endpoints keep their
// own script (ScriptProduct).
func (s *Server) ScriptAPI(accountID int64, product string, answers ...ProductAnswer) {
	s.products.script(&s.products.apiScripts, accountID, product, answers)
}

// AnswerForbidden is a 403: the person may not see this.
func AnswerForbidden() ProductAnswer {
	return ProductAnswer{Status: http.StatusForbidden, Body: `{"error":"You do not have access to this resource."}`,
		ContentType: "application/json; charset=utf-8"}
}

// AnswerLongString is a 200 whose JSON holds one string of n bytes, sent
// as it goes (see ProductAnswer.LongString).
func AnswerLongString(n int64) ProductAnswer {
	return ProductAnswer{Status: http.StatusOK, LongString: n}
}

// AnswerEndlessPages is a page with a next page, for ever (see
// ProductAnswer.EndlessPages).
func AnswerEndlessPages() ProductAnswer {
	return ProductAnswer{Status: http.StatusOK, EndlessPages: true}
}

// AnswerLargeJSON is a 200 with a JSON array of generated projects of at
// least n bytes, streamed.
func AnswerLargeJSON(n int64) ProductAnswer {
	return ProductAnswer{Status: http.StatusOK, LargeJSON: n}
}

// apiRoutes registers the API slices.
func (s *Server) apiRoutes(mux *http.ServeMux) {
	for _, shape := range apiShapes {
		mux.HandleFunc(shape.pattern, func(w http.ResponseWriter, r *http.Request) {
			s.api(w, r, shape.product, shape.serve)
		})
	}
}

// api checks an API request as the products do, then serves it.
func (s *Server) api(w http.ResponseWriter, r *http.Request, product string, serve func(*Server, http.ResponseWriter, *http.Request, apiCall)) {
	path := "/" + strings.Split(r.URL.Path, "/")[1] + "/" + r.PathValue("account")
	if product == "bcx" {
		path += "/api/v1"
	}
	acc, found := s.productAccount(product, path)
	key := ""
	if found {
		key = product + ":" + strconv.FormatInt(acc.ID, 10)
	}
	rec, answer, scripted, done := s.logProductRequest(w, r, key, func(bool) (ProductAnswer, bool) {
		return s.nextAPIAnswer(key)
	})
	defer done()
	if !s.productDelay(r, s.opts.ProductLatency+answer.Delay) {
		return
	}
	switch {
	case r.UserAgent() == "":
		writeText(rec, http.StatusBadRequest, textNoUserAgent)
		return
	case !found:
		writeJSON(rec, http.StatusNotFound, map[string]any{"status": 404, "error": "Not Found"})
		return
	}
	who, ok := s.productCredentials(rec, r)
	if !ok || s.bc5ScopeRefuses(rec, r) {
		return
	}
	switch {
	case scripted && answer.LargeJSON > 0:
		writeLargeJSON(rec, answer.LargeJSON)
	case scripted && answer.LongString > 0:
		writeLongString(rec, answer.LongString)
	case scripted && answer.EndlessPages:
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		page = max(page, 1)
		next := *r.URL
		next.Scheme, next.Host, next.RawQuery = "http", r.Host, "page="+strconv.Itoa(page+1)
		rec.Header().Set("Link", "<"+next.String()+`>; rel="next"`)
		writeJSON(rec, http.StatusOK, []map[string]any{{"id": page, "name": "Page " + strconv.Itoa(page)}})
	case scripted && answer.Status != 0:
		writeCanned(rec, answer.Status, answer.Header, answer.ContentType, answer.Body)
	default:
		serve(s, rec, r, apiCall{acc: acc, who: who, base: "http://" + r.Host + path})
	}
}

// nextAPIAnswer takes the account's next scripted API answer; the caller
// holds s.products.mu.
func (s *Server) nextAPIAnswer(key string) (ProductAnswer, bool) {
	p := &s.products
	q, ok := p.apiScripts[key]
	if !ok || key == "" {
		return ProductAnswer{}, false
	}
	if len(q) > 1 {
		p.apiScripts[key] = q[1:]
	}
	return q[0], true
}

// apiProject is a project as Basecamp 4's projects.json lists it.
type apiProject struct {
	ID          int64     `json:"id"`
	Status      string    `json:"status"`
	CreatedAt   string    `json:"created_at"`
	UpdatedAt   string    `json:"updated_at"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Purpose     string    `json:"purpose"`
	URL         string    `json:"url"`
	AppURL      string    `json:"app_url"`
	Dock        []apiDock `json:"dock"`
}

// apiDock is one tool of a project's dock.
type apiDock struct {
	ID      int64  `json:"id"`
	Title   string `json:"title"`
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
	URL     string `json:"url"`
}

var projectNames = []string{"The Leto Laptop", "Marketing Site Refresh", "Annual Report", "Hiring: Designer", "Office Move", "Customer Onboarding"}

// projectCount is how many projects an account starts with.
func projectCount(a Account) int {
	if a.ID == 99999999 {
		return DemoProjects
	}
	return 3
}

// project is an account's project number i (from 0), or a created one.
func project(c apiCall, id int64, name, description string) apiProject {
	sid := strconv.FormatInt(id, 10)
	stamp := "2024-01-15T09:30:00.000-06:00"
	return apiProject{ID: id, Status: "active", CreatedAt: stamp, UpdatedAt: stamp, Name: name, Description: description,
		Purpose: "topic", URL: c.base + "/projects/" + sid + ".json", AppURL: c.base + "/projects/" + sid,
		Dock: []apiDock{{ID: id + 1, Title: "Message Board", Name: "message_board", Enabled: true,
			URL: c.base + "/buckets/" + sid + "/message_boards/" + strconv.FormatInt(id+1, 10) + ".json"}}}
}

// projects is every project of the call's account: the generated ones,
// then those created through the API, oldest first.
func (s *Server) projects(c apiCall) []apiProject {
	n := projectCount(c.acc)
	out := make([]apiProject, 0, n)
	first := 2_085_958_000 + c.acc.ID%1000*1000
	for i := range n {
		name := projectNames[i%len(projectNames)]
		if i >= len(projectNames) {
			name += " " + strconv.Itoa(i/len(projectNames)+1)
		}
		if c.acc.Name == DemoHostileName && i == 0 {
			name = "Evil\x1b]0;pwned\x07 Project\u202e"
		}
		out = append(out, project(c, first+int64(i)*10, name, "Project number "+strconv.Itoa(i+1)+"."))
	}
	s.products.mu.Lock()
	defer s.products.mu.Unlock()
	for _, p := range s.products.created[c.acc.Product+":"+strconv.FormatInt(c.acc.ID, 10)] {
		out = append(out, project(c, p.ID, p.Name, p.Description))
	}
	return out
}

// listProjects answers projects.json one page at a time (?page=N, from 1),
// with Link rel="next" to the next page and X-Total-Count.
func (s *Server) listProjects(w http.ResponseWriter, r *http.Request, c apiCall) {
	writeListPage(w, r, s.projects(c))
}

// writeListPage answers page ?page=N of items as Basecamp paginates lists.
func writeListPage[T any](w http.ResponseWriter, r *http.Request, items []T) {
	page := 1
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "page must be a number from 1"})
			return
		}
		page = n
	}
	from := min((page-1)*APIPageSize, len(items))
	to := min(from+APIPageSize, len(items))
	if to < len(items) {
		next := *r.URL
		next.Scheme, next.Host = "http", r.Host
		q := next.Query()
		q.Set("page", strconv.Itoa(page+1))
		next.RawQuery = q.Encode()
		w.Header().Set("Link", `<`+next.String()+`>; rel="next"`)
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(len(items)))
	writeJSON(w, http.StatusOK, items[from:to])
}

// getProject answers projects/ID.json.
func (s *Server) getProject(w http.ResponseWriter, r *http.Request, c apiCall) {
	if p, ok := s.findProject(r, c); ok {
		writeJSON(w, http.StatusOK, p)
		return
	}
	writeJSON(w, http.StatusNotFound, map[string]any{"status": 404, "error": "Not Found"})
}

// findProject is the project projects/ID.json names, if any.
func (s *Server) findProject(r *http.Request, c apiCall) (apiProject, bool) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".json")
	for _, p := range s.projects(c) {
		if ok && strconv.FormatInt(p.ID, 10) == id {
			return p, true
		}
	}
	return apiProject{}, false
}

// updateProject answers PUT projects/ID.json with the project as changed
// (the fake does not keep the change).
func (s *Server) updateProject(w http.ResponseWriter, r *http.Request, c apiCall) {
	p, ok := s.findProject(r, c)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"status": 404, "error": "Not Found"})
		return
	}
	body, ok := readJSONBody(w, r)
	if !ok {
		return
	}
	if name, _ := body["name"].(string); name != "" {
		p.Name = name
	}
	if desc, ok := body["description"].(string); ok {
		p.Description = desc
	}
	writeJSON(w, http.StatusOK, p)
}

// trashProject answers DELETE projects/ID.json: 204, as Basecamp trashes it.
func (s *Server) trashProject(w http.ResponseWriter, r *http.Request, c apiCall) {
	if _, ok := s.findProject(r, c); !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"status": 404, "error": "Not Found"})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// createdProject is a project made through the API.
type createdProject struct {
	ID                int64
	Name, Description string
}

// apiBodyBytes bounds a request body the fake reads.
const apiBodyBytes = 1 << 20

// readJSONBody decodes a JSON object body, answering as Rails does when it
// is not one.
func readJSONBody(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeJSON(w, http.StatusUnsupportedMediaType, map[string]string{"error": "send JSON with Content-Type: application/json, not " + strconv.Quote(ct)})
		return nil, false
	}
	var body map[string]any
	if err := json.NewDecoder(io.LimitReader(r.Body, apiBodyBytes)).Decode(&body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the body is not a JSON object: " + err.Error()})
		return nil, false
	}
	return body, true
}

// createProject answers POST projects.json: 201 and the new project, which
// later lists include.
func (s *Server) createProject(w http.ResponseWriter, r *http.Request, c apiCall) {
	body, ok := readJSONBody(w, r)
	if !ok {
		return
	}
	name, _ := body["name"].(string)
	if strings.TrimSpace(name) == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "Name can't be blank"})
		return
	}
	desc, _ := body["description"].(string)
	key := c.acc.Product + ":" + strconv.FormatInt(c.acc.ID, 10)
	p := &s.products
	p.mu.Lock()
	if p.created == nil {
		p.created = map[string][]createdProject{}
	}
	made := createdProject{ID: 3_000_000_000 + int64(len(p.created[key]))*10, Name: name, Description: desc}
	p.created[key] = append(p.created[key], made)
	p.mu.Unlock()
	writeJSON(w, http.StatusCreated, project(c, made.ID, made.Name, made.Description))
}

// createMessage answers POST buckets/P/message_boards/B/messages.json: 201
// and the message, with its subject and content as sent.
func (s *Server) createMessage(w http.ResponseWriter, r *http.Request, c apiCall) {
	var proj *apiProject
	for _, p := range s.projects(c) {
		if strconv.FormatInt(p.ID, 10) == r.PathValue("project") && strconv.FormatInt(p.Dock[0].ID, 10) == r.PathValue("board") {
			proj = &p
			break
		}
	}
	if proj == nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"status": 404, "error": "Not Found"})
		return
	}
	body, ok := readJSONBody(w, r)
	if !ok {
		return
	}
	subject, _ := body["subject"].(string)
	if strings.TrimSpace(subject) == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "Subject can't be blank"})
		return
	}
	content, _ := body["content"].(string)
	status, _ := body["status"].(string)
	if status == "" {
		status = "drafted"
	}
	s.mu.Lock()
	id, _ := s.personLocked(c.who)
	s.mu.Unlock()
	mid := proj.ID + 7
	writeJSON(w, http.StatusCreated, map[string]any{
		"id": mid, "status": status, "type": "Message", "title": subject, "subject": subject, "content": content,
		"created_at": time.Now().UTC().Format(time.RFC3339),
		"url":        c.base + "/buckets/" + strconv.FormatInt(proj.ID, 10) + "/messages/" + strconv.FormatInt(mid, 10) + ".json",
		"parent":     map[string]any{"id": proj.Dock[0].ID, "title": "Message Board", "type": "Message::Board", "url": proj.Dock[0].URL},
		"bucket":     map[string]any{"id": proj.ID, "name": proj.Name, "type": "Project"},
		"creator":    map[string]any{"id": personID(c.acc), "name": fullName(id), "email_address": id.EmailAddress},
	})
}

// listPeople answers people.json: the person, and two colleagues.
func (s *Server) listPeople(w http.ResponseWriter, r *http.Request, c apiCall) {
	s.mu.Lock()
	id, _ := s.personLocked(c.who)
	s.mu.Unlock()
	pid := personID(c.acc)
	people := []map[string]any{
		{"id": pid, "name": fullName(id), "email_address": id.EmailAddress, "admin": c.acc.ID%2 == 1},
		{"id": pid + 1, "name": "Victor Cooper", "email_address": "victor@example.com", "admin": false},
		{"id": pid + 2, "name": "Kim Nakamura", "email_address": "kim@example.com", "admin": false},
	}
	writeListPage(w, r, people)
}

// classicProject is a Basecamp Classic <project>.
type classicProject struct {
	XMLName xml.Name `xml:"project"`
	ID      xmlInt   `xml:"id"`
	Name    string   `xml:"name"`
	Status  string   `xml:"status"`
	Company struct {
		ID   xmlInt `xml:"id"`
		Name string `xml:"name"`
	} `xml:"company"`
	CreatedOn xmlTime `xml:"created-on"`
}

// classicProjects answers Basecamp Classic's projects.xml.
func (s *Server) classicProjects(w http.ResponseWriter, _ *http.Request, c apiCall) {
	list := struct {
		XMLName  xml.Name         `xml:"projects"`
		Type     string           `xml:"type,attr"`
		Projects []classicProject `xml:"project"`
	}{Type: "array"}
	for i, name := range projectNames[:3] {
		p := classicProject{ID: xmlInt{"integer", 1_000_000 + int64(i)}, Name: name, Status: "active",
			CreatedOn: xmlTime{"date", "2009-03-12"}}
		p.Company.ID, p.Company.Name = xmlInt{"integer", c.acc.ID % 1_000_000}, c.acc.Name
		list.Projects = append(list.Projects, p)
	}
	writeXML(w, list)
}

// highrisePeople answers Highrise's people.xml: the contacts, not users.
func (s *Server) highrisePeople(w http.ResponseWriter, _ *http.Request, _ apiCall) {
	type contact struct {
		XMLName     xml.Name `xml:"person"`
		ID          xmlInt   `xml:"id"`
		FirstName   string   `xml:"first-name"`
		LastName    string   `xml:"last-name"`
		Title       string   `xml:"title"`
		CompanyName string   `xml:"company-name"`
	}
	list := struct {
		XMLName xml.Name  `xml:"people"`
		Type    string    `xml:"type,attr"`
		People  []contact `xml:"person"`
	}{Type: "array", People: []contact{
		{ID: xmlInt{"integer", 501}, FirstName: "Dana", LastName: "Scully", Title: "Buyer", CompanyName: "Globex"},
		{ID: xmlInt{"integer", 502}, FirstName: "Hank", LastName: "Scorpio", Title: "CEO", CompanyName: "Globex"},
	}}
	writeXML(w, list)
}

// writeLargeJSON streams a JSON array of generated projects of at least n
// bytes, one element at a time.
func writeLargeJSON(w http.ResponseWriter, n int64) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	var written int64
	buf := []byte{'['}
	for i := 0; written < n; i++ {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = fmt.Appendf(buf, `{"id":%d,"name":"Generated project %d","description":"%s"}`, i, i, strings.Repeat("x", 200))
		if len(buf) > 32<<10 {
			m, err := w.Write(buf)
			if err != nil {
				return
			}
			written += int64(m)
			buf = buf[:0]
		}
	}
	buf = append(buf, ']', '\n')
	_, _ = w.Write(buf)
}

// writeLongString streams a JSON array whose first element's name is one
// string of n bytes, then ends the array.
func writeLongString(w http.ResponseWriter, n int64) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if _, err := io.WriteString(w, `[{"id":1,"name":"`); err != nil {
		return
	}
	chunk := []byte(strings.Repeat("x", 32<<10))
	for left := n; left > 0; left -= int64(len(chunk)) {
		if _, err := w.Write(chunk[:min(int64(len(chunk)), left)]); err != nil {
			return
		}
	}
	_, _ = io.WriteString(w, "\"}]\n")
}
