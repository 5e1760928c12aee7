package remote

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// ErrNoSecret is returned (wrapped with the names tried) by Secret when
// neither NAME nor NAME_FILE is set.
var ErrNoSecret = errors.New("no secret set")

// maxSecretFile bounds what Secret reads of a secret file: a token is a
// few hundred bytes, a file much larger is the wrong file.
const maxSecretFile = 64 << 10

// Secret returns the secret named name from the environment: the variable
// itself, or the contents of the file named by name+"_FILE". Both are
// trimmed of surrounding white space (a trailing newline is never part of
// a token). Both set is an error; neither set returns ErrNoSecret wrapped
// with the names tried. The secret never appears in an error.
func Secret(env func(string) string, name string) (string, error) {
	if name == "" {
		return "", errors.New("remote: secret: empty variable name")
	}
	fileVar := name + "_FILE"
	val, file := env(name), strings.TrimSpace(env(fileVar))
	switch {
	case val != "" && file != "":
		return "", fmt.Errorf("remote: secret: both %s and %s are set; set only one", name, fileVar)
	case val != "":
		v := strings.TrimSpace(val)
		if v == "" {
			return "", fmt.Errorf("remote: secret: %s holds only white space", name)
		}
		return v, nil
	case file != "":
		return secretFile(fileVar, file)
	}
	return "", fmt.Errorf("remote: secret: %w (tried %s and %s)", ErrNoSecret, name, fileVar)
}

func secretFile(fileVar, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("remote: secret: open the file named by %s: %w", fileVar, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("remote: secret: read %s (named by %s): %w", path, fileVar, err)
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("remote: secret: %s (named by %s) is over %d bytes: not a secret file", path, fileVar, maxSecretFile)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", fmt.Errorf("remote: secret: %s (named by %s) is empty", path, fileVar)
	}
	return v, nil
}
