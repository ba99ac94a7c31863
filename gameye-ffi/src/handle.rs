//! Handles: the pointers C holds to objects of this library (clients,
//! results, operations, queues). Each is made, borrowed and freed through
//! [`BoxHandle`] only, so the ownership rule is written, and argued, once.

/// A type that C holds as `*mut Self`: the pointer is a `Box<Self::Owner>`
/// given away by [`BoxHandle::into_handle`], borrowed by the library's
/// functions with [`BoxHandle::borrow`] and taken back once, by the type's
/// `_free`, with [`BoxHandle::take`].
///
/// `borrow` and `take` are safe to call under the crate's pointer contract
/// (see the crate docs): the pointer is an exported function's argument,
/// NULL or a live handle of this type; for `take`, also never used again.
///
/// # Safety
/// Implementors promise that `Owner` is `Self`, or a `#[repr(C)]` struct
/// whose first field is a `Self`: a pointer to the owner is then a pointer to
/// `Self`, and back.
pub(crate) unsafe trait BoxHandle: Sized {
    /// The allocation behind the handle.
    type Owner;

    /// Gives `owner` to C, which owns it until it calls the type's `_free`.
    fn into_handle(owner: Box<Self::Owner>) -> *mut Self {
        Box::into_raw(owner).cast()
    }

    /// Borrows a handle for the duration of the call; NULL gives `None`.
    fn borrow<'a>(handle: *const Self) -> Option<&'a Self> {
        // SAFETY: the pointer contract: NULL or a live `Self` (the owner's
        // first field, per the trait's promise) for the call.
        unsafe { handle.as_ref() }
    }

    /// Takes back the allocation of a handle C gives up; NULL gives `None`.
    fn take(handle: *mut Self) -> Option<Box<Self::Owner>> {
        if handle.is_null() {
            return None;
        }
        // SAFETY: the pointer contract: a handle from `into_handle`, so a
        // `Box<Owner>` allocation (the trait's promise), given back once.
        Some(unsafe { Box::from_raw(handle.cast::<Self::Owner>()) })
    }
}

#[cfg(test)]
mod tests {
    use super::BoxHandle;

    #[repr(C)]
    struct Public(u32);

    #[repr(C)]
    struct Owner {
        public: Public,
        kept: Vec<u8>,
    }

    // SAFETY: `Owner` is `#[repr(C)]` with a `Public` first.
    unsafe impl BoxHandle for Public {
        type Owner = Owner;
    }

    #[test]
    fn a_handle_is_made_borrowed_and_taken_back_once() {
        let h = Public::into_handle(Box::new(Owner {
            public: Public(7),
            kept: vec![1, 2, 3],
        }));
        assert_eq!(Public::borrow(h).map(|p| p.0), Some(7));
        let owner = Public::take(h).expect("not NULL");
        assert_eq!((owner.public.0, owner.kept.len()), (7, 3));
        assert!(Public::borrow(std::ptr::null()).is_none());
        assert!(Public::take(std::ptr::null_mut()).is_none());
    }
}
