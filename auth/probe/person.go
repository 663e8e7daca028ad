package probe

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"bcauth/auth"
)

// decodePerson reads a who-am-I answer: JSON for bc3 and bcx, XML for the
// classic products.
func decodePerson(prod auth.Product, body []byte) (*Person, error) {
	var p *Person
	var err error
	if strings.HasSuffix(prod.WhoAmI, ".xml") {
		p, err = decodeXMLPerson(body)
	} else {
		p, err = decodeJSONPerson(body)
	}
	if err != nil {
		return nil, err
	}
	if p.ID == 0 && p.Name == "" && p.Email == "" {
		return nil, errors.New("it names nobody (no id, name or email address)")
	}
	return p, nil
}

// decodeJSONPerson reads bc3's /my/profile.json or bcx's /people/me.json.
func decodeJSONPerson(body []byte) (*Person, error) {
	var j struct {
		ID    int64  `json:"id"`
		Name  string `json:"name"`
		Email string `json:"email_address"`
		Admin *bool  `json:"admin"`
		Owner *bool  `json:"owner"`
	}
	if err := json.Unmarshal(body, &j); err != nil {
		return nil, fmt.Errorf("not the JSON expected: %w", err)
	}
	return &Person{ID: j.ID, Name: j.Name, Email: j.Email,
		Admin: j.Admin != nil && *j.Admin, Owner: j.Owner != nil && *j.Owner}, nil
}

// decodeXMLPerson reads the Rails-style XML of Basecamp Classic, Highrise and
// Backpack (/me.xml) and Campfire (/users/me.xml): a <person> or <user> with
// typed elements. Values are read as text, so an empty
// <admin type="boolean" nil="true"/> is false rather than an error.
func decodeXMLPerson(body []byte) (*Person, error) {
	var x struct {
		XMLName       xml.Name
		ID            string `xml:"id"`
		Name          string `xml:"name"`
		FirstName     string `xml:"first-name"`
		LastName      string `xml:"last-name"`
		Email         string `xml:"email-address"`
		Administrator string `xml:"administrator"`
		Admin         string `xml:"admin"`
		Owner         string `xml:"owner"`
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.CharsetReader = charsetReader
	if err := d.Decode(&x); err != nil {
		return nil, fmt.Errorf("not the XML expected: %w", err)
	}
	if x.XMLName.Local != "person" && x.XMLName.Local != "user" {
		return nil, fmt.Errorf("the XML is a <%s>, not a <person> or <user>", x.XMLName.Local)
	}
	p := &Person{Email: strings.TrimSpace(x.Email)}
	if s := strings.TrimSpace(x.ID); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("its id %q is not a number", s)
		}
		p.ID = id
	}
	p.Name = strings.TrimSpace(x.Name)
	if p.Name == "" {
		p.Name = strings.TrimSpace(strings.TrimSpace(x.FirstName) + " " + strings.TrimSpace(x.LastName))
	}
	p.Admin = xmlTrue(x.Administrator) || xmlTrue(x.Admin)
	p.Owner = xmlTrue(x.Owner)
	return p, nil
}

func xmlTrue(s string) bool {
	b, _ := strconv.ParseBool(strings.TrimSpace(s))
	return b
}

// charsetReader lets XML declared as ISO-8859-1 (older Rails apps) through;
// encoding/xml reads only UTF-8 by itself.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "latin1", "latin-1":
		b, err := io.ReadAll(in)
		if err != nil {
			return nil, err
		}
		var out strings.Builder
		for _, c := range b {
			out.WriteRune(rune(c))
		}
		return strings.NewReader(out.String()), nil
	}
	return nil, fmt.Errorf("unsupported charset %q", label)
}
