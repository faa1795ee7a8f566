package embedded

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The XML namespaces of the query-protocol services.
const (
	iamNS = "https://iam.amazonaws.com/doc/2010-05-08/"
	stsNS = "https://sts.amazonaws.com/doc/2011-06-15/"
)

// apiError is an AWS error as the query protocol reports it.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func errNoSuchEntity(msg string) *apiError {
	return &apiError{http.StatusNotFound, "NoSuchEntity", msg}
}
func errAlreadyExists(msg string) *apiError {
	return &apiError{http.StatusConflict, "EntityAlreadyExists", msg}
}
func errDeleteConflict(msg string) *apiError {
	return &apiError{http.StatusConflict, "DeleteConflict", msg}
}
func errLimitExceeded(msg string) *apiError {
	return &apiError{http.StatusConflict, "LimitExceeded", msg}
}
func errValidation(msg string) *apiError {
	return &apiError{http.StatusBadRequest, "ValidationError", msg}
}
func errInvalidInput(msg string) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidInput", msg}
}

// form is a query-protocol request's parameters.
type form url.Values

func (f form) get(k string) string { return url.Values(f).Get(k) }

// members reads a list parameter: Name.member.1, Name.member.2, ...
func (f form) members(name string) []string {
	var out []string
	for i := 1; ; i++ {
		k := name + ".member." + strconv.Itoa(i)
		if _, ok := f[k]; !ok {
			return out
		}
		out = append(out, f.get(k))
	}
}

// tags reads Tags.member.N.Key / .Value pairs.
func (f form) tags() []xTag {
	var out []xTag
	for i := 1; ; i++ {
		p := "Tags.member." + strconv.Itoa(i)
		if _, ok := f[p+".Key"]; !ok {
			return out
		}
		out = append(out, xTag{Key: f.get(p + ".Key"), Value: f.get(p + ".Value")})
	}
}

// serveQuery answers one IAM or STS call: form-encoded Action=..., an XML
// <ActionResponse> holding <ActionResult> and the request id.
func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, service string, caller identity) {
	rid := s.requestID()
	if err := r.ParseForm(); err != nil {
		queryError(w, rid, service, http.StatusBadRequest, "InvalidInput", "the request body is not form-encoded")
		return
	}
	f := form(r.Form)
	action := f.get("Action")
	var (
		result any
		err    *apiError
	)
	if service == "sts" {
		result, err = s.iam.sts(action, f, caller)
	} else {
		result, err = s.iam.call(action, f, caller)
	}
	if err != nil {
		queryError(w, rid, service, err.status, err.code, err.message)
		return
	}
	ns := iamNS
	if service == "sts" {
		ns = stsNS
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", rid)
	enc := xml.NewEncoder(w)
	start := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ns}}}
	_ = enc.EncodeToken(start)
	if result != nil {
		_ = enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}})
	}
	_ = enc.EncodeElement(struct {
		RequestID string `xml:"RequestId"`
	}{rid}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	_ = enc.EncodeToken(start.End())
	_ = enc.Flush()
}

// queryError writes <ErrorResponse><Error><Type>Sender</Type><Code>...,
// the shape IAM and STS use.
func queryError(w http.ResponseWriter, rid, service string, status int, code, msg string) {
	ns := iamNS
	if service == "sts" {
		ns = stsNS
	}
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", rid)
	w.WriteHeader(status)
	_ = xml.NewEncoder(w).Encode(struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Xmlns     string   `xml:"xmlns,attr"`
		Type      string   `xml:"Error>Type"`
		Code      string   `xml:"Error>Code"`
		Message   string   `xml:"Error>Message"`
		RequestID string   `xml:"RequestId"`
	}{Xmlns: ns, Type: typ, Code: code, Message: msg, RequestID: rid})
}

// isoTime is the timestamp format IAM answers with.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// policyEscape URL-encodes a policy document the way IAM returns it
// (RFC 3986: a space is %20, not +).
func policyEscape(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}
