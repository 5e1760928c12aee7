// Package atlassian holds what the Confluence and Jira sources share of
// Atlassian's query languages, CQL and JQL, and APIs: quoting a string
// literal, dropping a user's ORDER BY so the source can order the listing
// itself, asking for what changed since a time, and reading the times the
// APIs write.
package atlassian
