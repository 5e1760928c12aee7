// Package atlassian holds what the Confluence and Jira sources share of
// Atlassian's query languages, CQL and JQL: quoting a string literal and
// dropping a user's ORDER BY so the source can order the listing itself.
package atlassian
