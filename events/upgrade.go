package events

import "fmt"

// upgrade brings the payload of a typ record written at schema version from
// up to the current version. It is the only place that knows old shapes.
// No type has changed shape yet; the first change adds, for example,
//
//	case typ == "mark.recorded" && from == 1:
//		data, err = markRecordedV1toV2(data)
//
// in a loop stepping one version at a time, and a frozen v2 sample beside
// the v1 one in testdata/.
func upgrade(typ string, from int, data []byte) ([]byte, error) {
	if from == CurrentSchema(typ) {
		return data, nil
	}
	return nil, fmt.Errorf("%w: no upgrade of %s from v%d to v%d", ErrCorrupt, typ, from, CurrentSchema(typ))
}
