//! Reading Azure Resource Manager ids (`/subscriptions/{id}/resourceGroups/{group}/providers/…`):
//! the one place that knows their shape.

/// The segment that follows `key` in an ARM id (`resourceGroups` → the group's name), matched
/// without regard to case and returned as written; `None` when the id has no such segment or
/// nothing follows it.
pub fn segment_after<'a>(id: &'a str, key: &str) -> Option<&'a str> {
    let mut parts = id.split('/');
    parts.by_ref().find(|p| p.eq_ignore_ascii_case(key))?;
    parts.next().filter(|s| !s.is_empty())
}

/// The subscription id of an ARM id, as written; `None` unless the id starts with
/// `/subscriptions/{id}`.
pub fn subscription(id: &str) -> Option<&str> {
    let prefix = "/subscriptions/";
    let rest =
        id.get(..prefix.len()).filter(|p| p.eq_ignore_ascii_case(prefix)).map(|_| &id[prefix.len()..])?;
    rest.split('/').next().filter(|s| !s.is_empty())
}

/// The resource group of an ARM id, as written.
pub fn resource_group(id: &str) -> Option<&str> {
    segment_after(id, "resourceGroups")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_found_whatever_their_case_and_returned_as_written() {
        let id = "/SUBSCRIPTIONS/Ab-1/resourcegroups/RG-Web/providers/Microsoft.Compute/virtualMachines/vm-1";
        assert_eq!(subscription(id), Some("Ab-1"));
        assert_eq!(resource_group(id), Some("RG-Web"));
        assert_eq!(segment_after(id, "virtualmachines"), Some("vm-1"));
        assert_eq!(segment_after(id, "registries"), None);
    }

    #[test]
    fn what_is_not_an_arm_id_has_no_parts() {
        assert_eq!(subscription("subscriptions/x"), None);
        assert_eq!(subscription("/subscriptions/"), None);
        assert_eq!(subscription("/subscriptions//resourceGroups/x"), None);
        assert_eq!(resource_group("/subscriptions/s1/resourceGroups/"), None);
        assert_eq!(subscription("arn:aws:ec2:us-east-1:123:instance/i-1"), None);
        assert_eq!(subscription("/sub"), None);
    }
}
