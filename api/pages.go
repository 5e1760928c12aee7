package api

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
)

// LoginPath is where a browser asking for a page without a token or
// session is sent; the pages serve it on PageRoutes.Public.
const LoginPath = "/login"

// PageRoutes are the route groups the server-rendered pages mount on
// (Options.Pages), so that pages follow the API's access control.
type PageRoutes struct {
	// Public routes need no token: the login page and the stylesheets.
	Public gin.IRoutes
	// Read routes need a read token or session. A browser asking for one
	// without either is sent to LoginPath, with the page it asked for as
	// next.
	Read gin.IRoutes
	// Admin routes need an admin token or session. A request made with the
	// session cookie that may change something must come from our own
	// pages (the same-origin check of every cookie write).
	Admin gin.IRoutes
	// SearchLimit is the API's per-client search rate limit, for pages
	// that search.
	SearchLimit gin.HandlerFunc
	// Access says who a request comes from.
	Access func(c *gin.Context) Access
	// NotFound sets what answers a browser asking for a page that does
	// not exist (outside /api/, which always answers JSON).
	NotFound func(h gin.HandlerFunc)
}

// Access is what a page may show or offer to the request's principal.
type Access struct {
	// On is false when no tokens are configured: everyone may do
	// everything, and there is nothing to log in to.
	On bool
	// Name is the token's name (never its secret); empty when access
	// control is off or nobody is logged in.
	Name string
	// Admin is true when the principal may use the Admin routes.
	Admin bool
}

func (s *server) pageRoutes(r *gin.Engine) PageRoutes {
	return PageRoutes{
		Public:      r.Group("/"),
		Read:        r.Group("/", s.page(RoleRead)),
		Admin:       r.Group("/", s.page(RoleAdmin)),
		SearchLimit: rateLimit(s.searchLimiter),
		Access:      s.access,
		NotFound:    func(h gin.HandlerFunc) { s.pageNotFound = h },
	}
}

// page guards a page like read and admin guard the API, except that a
// browser asking for a page with neither a token nor a valid session is
// sent to the login page rather than answered 401.
func (s *server) page(role Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.auth.enabled() && c.GetHeader("Authorization") == "" && !unsafeMethod(c.Request.Method) {
			p, _ := s.auth.identify(c.Request)
			if p == nil {
				next := c.Request.URL.RequestURI()
				if !localPath(next) {
					next = "/"
				}
				c.Redirect(http.StatusSeeOther, LoginPath+"?next="+url.QueryEscape(next))
				c.Abort()
				return
			}
			c.Set(principalKey, p)
		}
		s.guard(c, role)
	}
}

// access says who the request comes from, for a page to show.
func (s *server) access(c *gin.Context) Access {
	if !s.auth.enabled() {
		return Access{Admin: true}
	}
	var p *principal
	if v, ok := c.Get(principalKey); ok {
		p = v.(*principal)
	} else {
		p, _ = s.auth.identify(c.Request)
	}
	if p == nil {
		return Access{On: true}
	}
	return Access{On: true, Name: p.name, Admin: p.role >= RoleAdmin}
}
