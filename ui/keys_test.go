package ui

import (
	"reflect"
	"testing"

	"charm.land/bubbles/v2/key"
)

// screenKeyMaps are every screen's KeyMap, built from the wizard's
// bindings as the screens build them.
func screenKeyMaps() map[string]any {
	k := DefaultKeyMap()
	return map[string]any{
		"identity":  newIdentityKeys(&k),
		"bucket":    newBucketKeys(&k),
		"location":  newLocationKeys(&k),
		"upload":    newUploadKeys(&k),
		"uploading": newUploadingKeys(&k),
		"policy":    newPolicyKeys(&k),
		"access":    newAccessKeys(&k),
		"user":      newUserKeys(&k),
		"review":    newReviewKeys(&k),
		"key":       newKeyKeys(&k),
		"sync":      newSyncKeys(&k),
		"done":      newDoneKeys(&k),
	}
}

// keyGroups splits a screen's KeyMap into the sets of bindings active
// together: its own fields, and each nested mode apart.
func keyGroups(name string, m any) map[string]map[string]key.Binding {
	out := map[string]map[string]key.Binding{}
	var walk func(group string, v reflect.Value)
	walk = func(group string, v reflect.Value) {
		for i := 0; i < v.NumField(); i++ {
			f, fv := v.Type().Field(i), v.Field(i)
			if b, ok := fv.Interface().(key.Binding); ok {
				if out[group] == nil {
					out[group] = map[string]key.Binding{}
				}
				out[group][f.Name] = b
				continue
			}
			if fv.Kind() == reflect.Struct {
				walk(group+"."+f.Name, fv)
			}
		}
	}
	walk(name, reflect.ValueOf(m))
	return out
}

func TestScreenKeyMapsDoNotClash(t *testing.T) {
	for name, m := range screenKeyMaps() {
		for group, bindings := range keyGroups(name, m) {
			seen := map[string]string{}
			for field, b := range bindings {
				if len(b.Keys()) == 0 {
					t.Errorf("%s.%s has no keys", group, field)
				}
				for _, k := range b.Keys() {
					if other, ok := seen[k]; ok {
						t.Errorf("%s: %q is both %s and %s", group, k, other, field)
					}
					seen[k] = field
				}
			}
		}
	}
}

// The root reads the help and quit keys before any screen does: no other
// binding of a screen may use them.
func TestScreenKeyMapsLeaveTheRootItsKeys(t *testing.T) {
	k := DefaultKeyMap()
	root := map[string]bool{}
	for _, b := range []key.Binding{k.Help, k.Quit} {
		for _, s := range b.Keys() {
			root[s] = true
		}
	}
	for name, m := range screenKeyMaps() {
		for group, bindings := range keyGroups(name, m) {
			for field, b := range bindings {
				if field == "Help" || field == "Quit" {
					continue
				}
				for _, s := range b.Keys() {
					if root[s] {
						t.Errorf("%s.%s uses %q, which the root takes first", group, field, s)
					}
				}
			}
		}
	}
}

// The catalogue the screens draw from does reuse keys across screens (p
// picks a profile and pauses a transfer): the check above would say so.
func TestKeyGroupsFindAClash(t *testing.T) {
	b := DefaultKeyMap()
	if !sameKeys(b.Profile, b.Pause) || !sameKeys(b.Stop, b.Cancel) {
		t.Fatal("the catalogue no longer shares p and q; update this test")
	}
	type both struct{ Profile, Pause key.Binding }
	g := keyGroups("both", both{b.Profile, b.Pause})["both"]
	if len(g) != 2 || !sameKeys(g["Profile"], g["Pause"]) {
		t.Errorf("keyGroups = %v, want Profile and Pause in one group", g)
	}
}
