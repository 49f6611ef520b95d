// An example of an organisation's own rule, loaded by clamd next to the official signatures.
// Try it through the "scan" compose profile's gateway:
//   printf 'DROPZONE-SCAN-EXAMPLE' > t.txt && curl -T t.txt ftp://demo:dropzone-demo@127.0.0.1:2123/
// which answers 550 ... malware found (YARA.Dropzone_Example_Marker.UNOFFICIAL).
rule Dropzone_Example_Marker
{
  meta:
    description = "harmless test marker showing that custom YARA rules refuse uploads"
  strings:
    $marker = "DROPZONE-SCAN-EXAMPLE" ascii wide
  condition:
    $marker
}
