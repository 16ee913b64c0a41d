from cnncalc import infer, load_spec


def test_vgg16_published_total():
    # keras.applications.VGG16 / torchvision vgg16: 138,357,544 parameters
    assert infer(load_spec("architectures/vgg16.yaml")).totals.params == 138_357_544
