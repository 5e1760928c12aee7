package dashboards

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/secondstory/secondstory/analytics/assess"
)

type helpPage struct {
	base
	Questions []catLink
	Technical []catLink
	Org       []catLink
}

// help: GET /help, what the figures mean.
func (p *Pages) help(c *gin.Context) {
	v := helpPage{base: p.base(c, "How the figures are made", "help")}
	for _, k := range assess.QuestionCategories() {
		v.Questions = append(v.Questions, catLink{Label: p.questionTitle(k), Href: link("/search", url.Values{"covers": {k}})})
	}
	for _, k := range assess.TechnicalFactors() {
		v.Technical = append(v.Technical, catLink{Label: p.factorTitle(k), Href: link("/search", url.Values{"category": {k}})})
	}
	for _, k := range assess.OrganisationalFactors() {
		v.Org = append(v.Org, catLink{Label: p.factorTitle(k), Href: link("/search", url.Values{"category": {k}})})
	}
	p.render(c, http.StatusOK, "help", v)
}

type loginPage struct {
	base
	Next string
	// Failed is set when the token just tried was not valid.
	Failed bool
}

// login: GET /login?next=PATH, a form that posts the token to the API's
// session endpoint, which sets the session cookie and sends the browser
// on to next.
func (p *Pages) login(c *gin.Context) {
	v := loginPage{base: p.base(c, "Log in", ""), Next: c.Query("next"), Failed: c.Query("failed") != ""}
	if !localPath(v.Next) {
		v.Next = "/"
	}
	p.render(c, http.StatusOK, "login", v)
}

// localPath reports whether s is a path on this site, so that the login
// cannot send the browser elsewhere ("//evil.example" would).
func localPath(s string) bool {
	if len(s) == 0 || len(s) > 1024 || s[0] != '/' || len(s) > 1 && (s[1] == '/' || s[1] == '\\') {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == ""
}
