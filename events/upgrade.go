package events

import "fmt"

// upgrade brings the payload of a typ record written at schema version from
// up to the current version, one step at a time. It is the only place that
// knows old shapes. Every type is at version 1 so far: the first change of
// shape adds a case here such as
//
//	case typ == "mark.recorded" && from == 1:
//		data, err = markRecordedV1toV2(data)
//
// and a frozen v2 sample beside the v1 one in testdata/.
func upgrade(typ string, from int, data []byte) ([]byte, error) {
	for v := from; v < CurrentSchema(typ); v++ {
		switch {
		default:
			return nil, fmt.Errorf("%w: no upgrade of %s from v%d", ErrCorrupt, typ, v)
		}
	}
	return data, nil
}
